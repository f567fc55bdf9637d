/**
 * The web view's teaching tools in a real browser: click a page shared
 * copy-on-write after fork and read explain's read, write and exec side by
 * side; move along the strip with the keyboard; turn tracing on and see a
 * command's kernel path (do_anonymous_page, do_wp_page) under its output.
 * @module
 */

/** The page's `document`, inside page.evaluate() callbacks (they run in the browser). */
// deno-lint-ignore no-explicit-any
declare const document: any;

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { ARTIFACTS, haveChromium, launch, runCommand, startServer, waitDrawn } from "./helpers.ts";

const ok = haveChromium();
const A = 0x7f0000000000;
const hex = (n: number) => "0x" + n.toString(16);

/** The explain panel once it shows page `addr` of `pid`: each access's outcome and text. */
async function explainShown(page: Page, pid: number, addr: number) {
  await page.waitForFunction(
    ([p, a]) => {
      const x = document.getElementById("explain");
      return x.dataset.pid === p && x.dataset.addr === a && x.querySelectorAll(".acc").length === 3;
    },
    [String(pid), hex(addr)],
  );
  return await page.locator("#explain .acc").evaluateAll((cols) =>
    cols.map((c: any) => ({
      access: c.dataset.access,
      outcome: c.dataset.outcome,
      text: c.textContent,
    }))
  );
}

/** The outcomes the panel shows for read, write, exec, once they are `want` (it redraws live). */
async function outcomesBecome(page: Page, want: string[]) {
  await page.waitForFunction(
    (w) =>
      [...document.querySelectorAll("#explain .acc")].map((c: any) => c.dataset.outcome).join() ===
        w,
    want.join(),
  );
}

/** The text of the console's trace blocks. */
function traces(page: Page): Promise<string[]> {
  return page.locator("#console .trace").allTextContents();
}

Deno.test({
  name: "web view: explain a COW page (read, write, exec); trace a poke's kernel path",
  ignore: !ok,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer();
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
      await page.goto(server.url);
      await waitDrawn(page, 0);
      await runCommand(
        page,
        `a = mmap(${
          hex(A)
        }, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)`,
      );
      await runCommand(page, "poke(a, 1)");
      await runCommand(page, "fork()");
      // Pid 1's strip over [A, A+16K): four pages a quarter of the strip each.
      const sec = page.locator('section.proc[data-pid="1"]');
      await sec.locator("input.goto").fill(`${hex(A)} 16K`);
      await sec.locator("input.goto").press("Enter");
      await page.waitForFunction(() =>
        document.querySelector('section.proc[data-pid="1"] .range')?.textContent?.startsWith(
          "0x7f0000000000–0x7f0000004000",
        )
      );
      const strip = sec.locator(".strip");
      const box = (await strip.boundingBox())!;
      const y = box.height / 2;

      // Click the page shared with the child: a read hits, a write copies, no exec right.
      await strip.click({ position: { x: box.width * 0.125, y } });
      const cow = await explainShown(page, 1, A);
      assert.deepEqual(cow.map((c) => [c.access, c.outcome]), [
        ["read", "hit"],
        ["write", "cow-copy"],
        ["exec", "segv"],
      ]);
      assert.match(cow[1].text, /mapcount 2/);
      assert.match(cow[1].text, /do_wp_page/);
      assert.match(cow[2].text, /SEGV_ACCERR/);
      assert.equal(await sec.locator(".cursor").getAttribute("data-addr"), hex(A));

      // The keyboard: → moves to the next page (never touched), Enter explains it.
      await strip.press("ArrowRight");
      await strip.press("Enter");
      const next = await explainShown(page, 1, A + 0x1000);
      assert.equal(next[1].outcome, "new-page");
      await strip.press("ArrowLeft");
      await strip.press("Enter");
      await explainShown(page, 1, A);

      // Trace on: each command's kernel path under its output, one step a line.
      const notes = await page.locator("#console .note").count();
      await page.check("#trace-toggle");
      await page.waitForFunction(
        (n) => document.querySelectorAll("#console .note").length > n,
        notes,
      );
      assert.equal(await page.locator("#console .trace").count(), 0);
      await runCommand(page, "poke(a+4K, 1)");
      await page.waitForFunction(() => document.querySelectorAll("#console .trace").length === 1);
      const anon = (await traces(page))[0];
      assert.match(anon, /do_anonymous_page/);
      const lines = await page.locator("#console .trace").last().locator(".step").count();
      assert.ok(lines >= 3, `${lines} steps`);

      // The parent writes its COW page: do_wp_page copies it. The explain panel redraws:
      // the page is the parent's alone now, so a write hits.
      await runCommand(page, "poke(a, 2)");
      await page.waitForFunction(() => document.querySelectorAll("#console .trace").length === 2);
      assert.match((await traces(page))[1], /do_wp_page/);
      await outcomesBecome(page, ["hit", "hit", "segv"]);

      // Trace off: nothing more under the output.
      await page.uncheck("#trace-toggle");
      await page.waitForFunction(
        (n) => document.querySelectorAll("#console .note").length > n + 1,
        notes,
      );
      const ones = () =>
        page.evaluate(() =>
          [...document.querySelectorAll("#console > div")].filter((d: any) =>
            d.textContent === "= 1"
          ).length
        );
      const before = await ones();
      const out = await runCommand(page, "poke(a+8K, 1)");
      await page.waitForFunction(
        (n) =>
          [...document.querySelectorAll("#console > div")].filter((d: any) =>
            d.textContent === "= 1"
          ).length > n,
        before,
      );
      assert.equal(await page.locator("#console .trace").count(), 2, out.join("\n"));
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: new URL("web-teach.png", ARTIFACTS).pathname, fullPage: true });
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});

Deno.test({
  name: "web view: a lab stepped with trace on shows each step's kernel path",
  ignore: !ok,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer(["--replay", "scripts/labs/01-vma-split-merge.mm"]);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(server.url);
      await waitDrawn(page, 0);
      const stepTo = async (step: number) => {
        await page.click("#next");
        await page.waitForFunction(
          (s) => document.getElementById("replay")!.dataset.step === String(s),
          step,
        );
      };
      await stepTo(1);
      assert.equal(await page.isVisible("#replay-trace"), false, "trace off: no panel");
      await page.check("#trace-toggle");
      await page.waitForFunction(() => document.querySelectorAll("#console .note").length === 1);
      await stepTo(2); // maps: no kernel path to trace
      assert.match((await page.textContent("#replay-trace"))!, /no kernel path traced/);
      await stepTo(3); // mprotect in the middle of the VMA: split twice
      const fns = await page.locator("#replay-trace .step").evaluateAll((s) =>
        s.map((d: any) => d.dataset.fn)
      );
      assert.equal(fns[0], "__do_sys_mprotect");
      assert.equal(fns.filter((f) => f === "__split_vma").length, 2, fns.join());
      // The question text and the lab's output stay as they were.
      assert.match((await page.textContent("#replay-last"))!, /^mm> mprotect\(a \+ 4K/);
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: new URL("web-teach-replay.png", ARTIFACTS).pathname });
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});
