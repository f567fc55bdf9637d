/**
 * `npx -y deno@2.9.6 task soak [--seed N] [--steps N] [--per N] [--check-every N]`:
 * millions of random operations (lib/check/workload.ts) over fresh
 * machines, the machine's invariants checked as it goes. Prints progress
 * and `N steps, N workloads, no violation`; on a violation, the seed, the
 * step, what broke and the steps before it, and exits 1. Usage errors exit
 * 2. The test suite runs a bounded version (tests/check/workload_test.ts).
 * @module
 */

import { Command, CommanderError, InvalidArgumentError } from "commander";
import { checkInvariants } from "../mod.ts";
import { soak } from "../lib/check/workload.ts";
import { PLAIN_OUTPUT } from "./cli_output.ts";

function count(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("not a positive integer");
  return n;
}

const cmd = new Command("soak")
  .configureOutput(PLAIN_OUTPUT)
  .exitOverride()
  .description("random operations over fresh machines, invariants checked as they run")
  .option("--seed <n>", "the first workload's seed", count, 1)
  .option("--steps <n>", "operations in all", count, 1_000_000)
  .option("--per <n>", "operations per machine", count, 5000)
  .option("--check-every <n>", "check the invariants every N operations", count, 50);
try {
  cmd.parse(["deno", "soak", ...Deno.args]);
} catch (e) {
  if (e instanceof CommanderError) Deno.exit(e.exitCode === 0 ? 0 : 2);
  throw e;
}
const o = cmd.opts<{ seed: number; steps: number; per: number; checkEvery: number }>();
const t0 = Date.now();
let shown = 0;
const r = soak({
  seed: o.seed,
  steps: o.steps,
  perWorkload: o.per,
  checkEvery: o.checkEvery,
  check: (m) => checkInvariants(m, { merged: false }),
  progress: (p) => {
    if (p.steps - shown < 100_000 && p.steps < o.steps) return;
    shown = p.steps;
    console.log(
      `${p.steps} steps, ${p.workloads} workloads (${((Date.now() - t0) / 1000).toFixed(1)} s)`,
    );
  },
});
if (r.violation) {
  const v = r.violation;
  console.log(`seed ${v.seed}, step ${v.step}: the invariants do not hold`);
  for (const e of v.errors.slice(0, 20)) console.log(`  ${e}`);
  console.log("the steps before it:");
  for (const t of v.trail) console.log(`  ${t}`);
  console.log(
    `reproduce: npx -y deno@2.9.6 task soak --seed ${v.seed} --steps ${v.step + 1} ` +
      `--per ${o.per} --check-every 1`,
  );
  Deno.exit(1);
}
console.log(`${r.steps} steps, ${r.workloads} workloads, no violation`);
