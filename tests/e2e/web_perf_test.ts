/**
 * The web view at scale: 65,530 VMAs (vm.max_map_count) and 1 GiB touched.
 * Measures the page's first paint and the redraw after a command typed in
 * the command box, and LOGS them (timings are not asserted: the machine is
 * shared); asserts only that the page drew the big address space at all.
 *
 * The server is tests/e2e/perf_server.ts, in a process of its own: the
 * machine built with mod.ts's syscall(), served by the WebApp that
 * web/server.ts serves.
 * @module
 */

/** The page's `document`, inside page.evaluate() callbacks (they run in the browser). */
// deno-lint-ignore no-explicit-any
declare const document: any;

import assert from "node:assert/strict";
import { haveChromium, launch, runCommand, startServer, waitDrawn } from "./helpers.ts";

const ok = haveChromium();

Deno.test({
  name: "web view at 65,530 VMAs and 1 GiB touched: first paint and update times (logged)",
  ignore: !ok,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer([], "tests/e2e/perf_server.ts");
    const browser = await launch();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const start = performance.now();
      await page.goto(server.url);
      await waitDrawn(page, 2);
      const wall = performance.now() - start;
      const first = await page.evaluate(() => (globalThis as any).mmTiming.firstPaintMs);
      const title = await page.textContent('section.proc[data-pid="1"] .title');
      assert.ok(title!.includes("65530 VMAs"), title!);
      const updates: number[] = [];
      const phases: string[] = [];
      for (const line of ["poke(b, 7)", "mprotect(b, 4K, PROT_READ)", "poke(c+4K, 1)"]) {
        await runCommand(page, line);
        updates.push(await page.evaluate(() => (globalThis as any).mmTiming.lastUpdateMs));
        phases.push(
          JSON.stringify(await page.evaluate(() => (globalThis as any).mmTiming.phases)),
        );
      }
      // A zoom: one strip request and redraw.
      const z0 = performance.now();
      await page.click('section.proc[data-pid="1"] button.zoom-fit');
      await page.waitForFunction(() =>
        !document.querySelector('section.proc[data-pid="1"] .range')!.textContent!.startsWith(
          "0x0–",
        )
      );
      const zoomMs = performance.now() - z0;
      console.log(
        `web perf: 65530 VMAs, 1 GiB touched: ` +
          `first paint ${first.toFixed(0)} ms after navigation (goto to drawn ${
            wall.toFixed(0)
          } ms); ` +
          `update after a command ${updates.map((u) => u.toFixed(0)).join(", ")} ms; ` +
          `zoom to fit ${zoomMs.toFixed(0)} ms; redraw phases ${phases.join(" ")}`,
      );
    } finally {
      await browser.close();
      await server.stop();
    }
  },
});
