/**
 * The conformance corpus (tests/conformance/*.mm) on mmlab and on the host
 * kernel, compared line by line (repl/host/differ.ts). A case marked
 * `# xfail: REASON` is a known mismatch: it is reported, not failed; if it
 * starts to agree it is reported as an unexpected pass (remove its xfail).
 * A case with a malformed line (one that does not parse or run: it would
 * print the same error on both sides) fails. The host is probed once
 * (repl/host/probe.ts): mmlab's side runs with the matching knobs, and the
 * summary names each host difference adapted to or skipped for.
 * Cases whose `# requires:` the host does not meet are skipped, and the
 * whole corpus is skipped (with the reason) where mmhost cannot run here
 * (no gcc, not x86-64 Linux); an mmhost.c that does not compile fails.
 */

import { buildHost } from "../../repl/host/build.ts";
import {
  describeDifference,
  type DiffResult,
  hostAdaptations,
  runDifferential,
} from "../../repl/host/differ.ts";

const DIR = new URL("../conformance/", import.meta.url);

async function corpus(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(DIR)) {
    if (e.isFile && e.name.endsWith(".mm")) names.push(e.name);
  }
  return names.sort();
}

/** Runs `f` over items, at most `n` at a time. */
async function pool<T, R>(items: T[], n: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

// Only "cannot run here" (no gcc, not x86-64 Linux, no --allow-run) skips; a compile error fails.
const build = await buildHost();
const skip = "skip" in build ? build.skip : undefined;

Deno.test({
  name: `conformance corpus: mmlab vs the host kernel${skip ? ` (skipped: ${skip})` : ""}`,
  ignore: skip !== undefined,
  async fn() {
    const names = await corpus();
    if (names.length < 200) throw new Error(`the corpus has ${names.length} cases, want >= 200`);
    const results = await pool(names, 4, async (name) => {
      const text = await Deno.readTextFile(new URL(name, DIR));
      try {
        return { name, r: await runDifferential(text, { source: `tests/conformance/${name}` }) };
      } catch (e) {
        return { name, error: e instanceof Error ? e.message : String(e) };
      }
    });
    const failures: string[] = [];
    const xfails: string[] = [];
    const xpasses: string[] = [];
    const skips: string[] = [];
    let agree = 0;
    for (const x of results) {
      if ("error" in x) {
        failures.push(`tests/conformance/${x.name}: harness error: ${x.error}`);
        continue;
      }
      const r = x.r as DiffResult;
      const xfail = r.info.xfail;
      if (r.status === "skip") skips.push(`${x.name}: ${r.reason}`);
      else if (r.status === "invalid") {
        failures.push(describeDifference(r, `tests/conformance/${x.name}`).join("\n"));
      } else if (r.status === "same") {
        if (xfail) xpasses.push(`${x.name} (xfail: ${xfail})`);
        else agree++;
      } else if (xfail) xfails.push(`${x.name}: ${xfail}`);
      else failures.push(describeDifference(r, `tests/conformance/${x.name}`).join("\n"));
    }
    const summary = [
      `${names.length} cases: ${agree} agree, ${xfails.length} known failures, ` +
      `${skips.length} skipped on this host, ${xpasses.length} unexpected passes, ` +
      `${failures.length} failures; ${await hostAdaptations()}`,
    ];
    if (skips.length > 0) summary.push("skipped:", ...skips.map((s) => `  ${s}`));
    if (xpasses.length > 0) {
      summary.push("unexpected passes (remove their xfail):", ...xpasses.map((s) => `  ${s}`));
    }
    console.log(summary.join("\n"));
    if (failures.length > 0) {
      throw new Error(
        `${failures.length} cases failed against the host kernel (${await hostAdaptations()}):` +
          `\n\n${failures.join("\n\n")}\n\nreproduce one: ` +
          "npx -y deno@2.9.6 task repl --check-host tests/conformance/NAME.mm",
      );
    }
  },
});
