/**
 * What the web view's browser tests share: starting `web/server.ts` on a
 * free port, Debian's chromium through playwright-core (no browser is
 * downloaded), and running a command through the page's command box.
 * @module
 */

/** The page's `document`, inside page.evaluate() callbacks (they run in the browser). */
// deno-lint-ignore no-explicit-any
declare const document: any;

import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's chromium: `apt-get install -y chromium`. */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless flags (../shared/mission/deno-ecosystem.md §5). */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Where screenshots go (gitignored). */
export const ARTIFACTS = new URL("./artifacts/", import.meta.url);

/** Whether chromium is installed; the tests are ignored (with the reason printed) when not. */
export function haveChromium(): boolean {
  try {
    Deno.statSync(CHROMIUM);
    return true;
  } catch {
    console.log(`web e2e: ${CHROMIUM} is missing (apt-get install -y chromium); skipped`);
    return false;
  }
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** A running `deno task web`: its address and how to stop it. */
export interface Server {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts web/server.ts (or another `script` that serves and prints its
 * address the same way) with `args` on a free port; resolves once it
 * prints its address.
 */
export async function startServer(
  args: string[] = [],
  script = "web/server.ts",
): Promise<Server> {
  const root = new URL("../../", import.meta.url);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net=127.0.0.1", "--allow-read", script, "--port", "0", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let url = "";
  while (url === "") {
    const r = await reader.read();
    if (r.done) throw new Error(`web server exited before printing its address: ${seen}`);
    seen += r.value;
    url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(seen)?.[1] ?? "";
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  const drain = (async () => {
    while (!(await reader.read()).done) { /* nothing */ }
  })();
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drain.catch(() => {});
    },
  };
}

/** The seq the page has drawn (body[data-seq]). */
export async function drawnSeq(page: Page): Promise<number> {
  return Number(await page.evaluate(() => document.body.dataset.seq ?? "-1"));
}

/** Waits until the page has drawn state `seq` or later. */
export async function waitDrawn(page: Page, seq: number): Promise<void> {
  await page.waitForFunction((s) => Number(document.body.dataset.seq ?? -1) >= s, seq);
}

/** Types `line` into the command box, presses Enter, waits for the redraw; returns the output. */
export async function runCommand(page: Page, line: string): Promise<string[]> {
  const before = await drawnSeq(page);
  const con = page.locator("#console > div");
  const n = await con.count();
  await page.fill("#cmd", line);
  await page.press("#cmd", "Enter");
  await waitDrawn(page, before + 1);
  await page.waitForFunction((k) => document.querySelectorAll("#console > div").length > k, n);
  return (await con.allTextContents()).slice(n + 1);
}
