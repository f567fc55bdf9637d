/**
 * The web view in a real browser: `web/server.ts` on a free port, Debian's
 * chromium headless through playwright-core, commands typed into the
 * page's command box, assertions on the DOM it draws.
 * @module
 */

/** The page's `document`, inside page.evaluate() callbacks (they run in the browser). */
// deno-lint-ignore no-explicit-any
declare const document: any;

import assert from "node:assert/strict";
import { ARTIFACTS, haveChromium, launch, runCommand, startServer, waitDrawn } from "./helpers.ts";
import { parseTranscript } from "../../repl/transcript/format.ts";
import type { Page } from "playwright-core";

const ok = haveChromium();
const A = "0x7f0000000000";

/** Hovers page `index` of a strip showing [A, A+16K), until the info panel shows it. */
async function hoverPage(page: Page, pid: number, index: number, pages = 4) {
  const strip = page.locator(`section.proc[data-pid="${pid}"] .strip`);
  // Forget the last hover, so that the wait below sees this one.
  await page.evaluate(() => {
    const i = document.getElementById("info")!;
    for (const k of Object.keys(i.dataset)) delete i.dataset[k];
  });
  const box = (await strip.boundingBox())!;
  const x = box.x + box.width * (index + 0.5) / pages;
  await page.mouse.move(x - 3, box.y + box.height / 2);
  await page.mouse.move(x, box.y + box.height / 2);
  const addr = "0x" + (0x7f0000000000 + index * 4096).toString(16);
  await page.waitForFunction(
    ([p, a]) => {
      const i = document.getElementById("info")!;
      return i.dataset.pid === p && i.dataset.addr === a;
    },
    [String(pid), addr],
  );
  return await page.locator("#info").evaluate((i: any) => ({ ...i.dataset }));
}

/** Zooms process `pid`'s strip to [A, A+16K) with its address box. */
async function zoomTo16K(page: Page, pid: number) {
  const sec = page.locator(`section.proc[data-pid="${pid}"]`);
  await sec.locator("input.goto").fill(`${A} 16K`);
  await sec.locator("input.goto").press("Enter");
  await page.waitForFunction(
    (p) =>
      document.querySelector(`section.proc[data-pid="${p}"] .range`)?.textContent?.startsWith(
        "0x7f0000000000–0x7f0000004000",
      ),
    pid,
  );
}

Deno.test({
  name: "web view: split, COW after fork, pins, in chromium",
  ignore: !ok,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer();
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(server.url);
      await waitDrawn(page, 0);
      const out = await runCommand(
        page,
        `a = mmap(${A}, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)`,
      );
      assert.deepEqual(out, ["= 0x7f0000000000"]);
      await zoomTo16K(page, 1);
      const p1 = page.locator('section.proc[data-pid="1"]');
      assert.equal(await p1.locator("tr.vma").count(), 1);

      // An mprotect in the middle of a VMA splits it in three.
      assert.deepEqual(await runCommand(page, "mprotect(a+4K, 4K, PROT_READ)"), ["= 0"]);
      await page.waitForFunction(() =>
        document.querySelectorAll('section.proc[data-pid="1"] tr.vma').length === 3
      );
      const perms = await p1.locator("tr.vma").evaluateAll((rows) =>
        rows.map((r) => (r as any).dataset.perms)
      );
      assert.deepEqual(perms, ["rw-p", "r--p", "rw-p"]);
      assert.equal(await p1.locator(".strip .seg").count(), 3);

      // COW after fork: the frame is shared by both, then only the parent's.
      await runCommand(page, "poke(a, 1)");
      const before = await hoverPage(page, 1, 0);
      assert.equal(before.owners, "1");
      const pfn = before.pfn;
      assert.match(pfn!, /^0x[0-9a-f]+$/);
      await runCommand(page, "fork()");
      const shared = await hoverPage(page, 1, 0);
      assert.equal(shared.pfn, pfn);
      assert.equal(shared.owners, "1,2");
      await runCommand(page, "@2 poke(a, 2)");
      const after = await hoverPage(page, 1, 0);
      assert.equal(after.pfn, pfn);
      assert.equal(after.owners, "1");
      await zoomTo16K(page, 2);
      const child = await hoverPage(page, 2, 0);
      assert.notEqual(child.pfn, pfn);
      assert.equal(child.owners, "2");

      // A pinned page is marked: a mark on the strip, the VMA's count, the hover.
      const pin = await runCommand(page, "pin_user_pages(a+8K, 1, FOLL_WRITE)");
      assert.equal(pin.some((l) => l.startsWith("= 1")), true, pin.join("\n"));
      await page.waitForSelector(
        'section.proc[data-pid="1"] .pin-mark[data-addr="0x7f0000002000"]',
      );
      await page.waitForFunction(() =>
        document.querySelector(
          'section.proc[data-pid="1"] tr.vma[data-start="0x7f0000002000"]',
        )?.getAttribute("data-pinned") === "1"
      );
      const pinned = await hoverPage(page, 1, 2);
      assert.equal(pinned.pin, "1");

      // Click a VMA: its smaps entry.
      await p1.locator('tr.vma[data-start="0x7f0000001000"]').click();
      await page.waitForFunction(() =>
        document.getElementById("smaps")!.textContent!.startsWith("7f0000001000-7f0000002000 r--p")
      );

      // History and completion in the command box.
      await page.fill("#cmd", "");
      await page.press("#cmd", "ArrowUp");
      assert.equal(await page.inputValue("#cmd"), "pin_user_pages(a+8K, 1, FOLL_WRITE)");
      await page.fill("#cmd", "mpro");
      await page.press("#cmd", "Tab");
      await page.waitForFunction(() => document.getElementById("cmd").value === "mprotect(");

      // The wheel zooms around the pointer, down to one page; the buttons back out to 128 TiB.
      const strip = p1.locator(".strip");
      const box = (await strip.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2);
      for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -100);
      await page.waitForFunction(() =>
        document.querySelector('section.proc[data-pid="1"] .range')!.textContent!.includes(
          "(4 KiB,",
        )
      );
      assert.match((await p1.locator(".range").textContent())!, /^0x7f0000002000–0x7f0000003000/);
      await p1.locator("button.zoom-all").click();
      await page.waitForFunction(() =>
        document.querySelector('section.proc[data-pid="1"] .range')!.textContent!.startsWith(
          "0x0–0x800000000000 (128 TiB,",
        )
      );
      // Hover a frame of the grid: its counts and owners.
      const grid = (await page.locator("#frames").boundingBox())!;
      await page.mouse.move(grid.x + grid.width / 2, grid.y + grid.height / 2);
      await page.waitForFunction(() =>
        document.getElementById("frame-info")!.textContent!.startsWith("pfn ")
      );

      // A bad line prints its error; the page carries on.
      const bad = await runCommand(page, "mmap(");
      assert.equal(bad.length > 0, true);
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: new URL("web-view.png", ARTIFACTS).pathname, fullPage: true });
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});

Deno.test({
  name: "web view: replay a lab step by step (next / previous)",
  ignore: !ok,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const file = "scripts/labs/01-vma-split-merge.mm";
    const t = parseTranscript(
      await Deno.readTextFile(new URL(`../../${file}`, import.meta.url)),
    );
    const cmds = t.blocks.filter((b) => b.kind === "command");
    const server = await startServer(["--replay", file]);
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(server.url);
      await waitDrawn(page, 0);
      assert.equal(await page.textContent("#replay-step"), `step 0 / ${cmds.length}`);
      const stepTo = async (button: "#next" | "#prev", step: number) => {
        await page.click(button);
        await page.waitForFunction(
          (s) => document.getElementById("replay")!.dataset.step === String(s),
          step,
        );
      };
      for (let i = 1; i <= 3; i++) {
        await stepTo("#next", i);
        const shown = (await page.textContent("#replay-last"))!.split("\n");
        const c = cmds[i - 1];
        assert.equal(c.kind, "command");
        if (c.kind !== "command") continue;
        // The lab's expected output is what `replay --step` shows there.
        assert.deepEqual(shown, [`mm> ${c.input}`, ...c.expected]);
      }
      await stepTo("#prev", 2);
      const c = cmds[1];
      if (c.kind === "command") {
        assert.deepEqual(
          (await page.textContent("#replay-last"))!.split("\n"),
          [`mm> ${c.input}`, ...c.expected],
        );
      }
      await Deno.mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: new URL("web-replay.png", ARTIFACTS).pathname });
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});
