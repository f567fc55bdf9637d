/**
 * `npx -y deno@2.9.6 task fuzz [--seed N] [--cases N] [--length N] [--out DIR] [--no-shrink]`:
 * random command files on mmlab and on the host kernel (repl/host/fuzz.ts);
 * each differing case is shrunk and written to DIR (default
 * /tmp/mmlab-fuzz). Prints `N cases, N agree, N differ` and what the run
 * adapted to on this host (repl/host/probe.ts), and exits 1 on
 * any difference or harness error, 2 on a usage error (a bad flag, an --out
 * that cannot be a directory) or when the host comparison cannot run.
 * @module
 */

import { fileErrorText } from "../os_error.ts";
import { Command, InvalidArgumentError } from "commander";
import { PLAIN_OUTPUT } from "../cli_output.ts";
import { buildHost } from "./build.ts";
import { fuzz } from "./fuzz.ts";
import { fuzzReporter } from "./fuzz_progress.ts";
import { ProgressLine } from "../progress_line.ts";

function int(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("not a non-negative integer");
  return n;
}

const cmd = new Command("fuzz")
  .configureOutput(PLAIN_OUTPUT)
  .description("differential fuzzing of mmlab against the host kernel")
  .option("--seed <n>", "the run's seed", int, 1)
  .option("--cases <n>", "how many cases", int, 100)
  .option("--length <n>", "command lines per case", int, 30)
  .option("--out <dir>", "where shrunk reproducers go", "/tmp/mmlab-fuzz")
  .option("--no-shrink", "write differing cases as generated")
  .exitOverride();
try {
  cmd.parse(["deno", "fuzz", ...Deno.args]);
} catch (e) {
  // --help ends here with exit code 0; usage errors exit 2 (1 means "a difference").
  Deno.exit((e as { exitCode?: number }).exitCode === 0 ? 0 : 2);
}

const o = cmd.opts<{ seed: number; cases: number; length: number; out: string; shrink: boolean }>();
// The output directory is made (or found) before any case runs, so a bad
// --out is a usage error, not a failure after the first difference.
try {
  Deno.mkdirSync(o.out, { recursive: true });
  if (!Deno.statSync(o.out).isDirectory) throw new Error("not a directory");
} catch (e) {
  const why = e instanceof Error && e.message === "not a directory"
    ? "it exists and is not a directory"
    : fileErrorText(e);
  console.error(`mmlab: fuzz: --out ${o.out}: cannot make the directory: ${why}`);
  Deno.exit(2);
}
const build = await buildHost();
if ("skip" in build) {
  console.error(`mmlab: fuzz: the host kernel comparison cannot run: ${build.skip}`);
  Deno.exit(2);
}
const t0 = Date.now();
// On a terminal, cases done and differences found on one line of stderr (nothing when piped).
const report = fuzzReporter(new ProgressLine(Deno.stderr), (s) => console.log(s));
const sum = await fuzz({
  seed: o.seed,
  cases: o.cases,
  length: Math.max(o.length, 3),
  out: o.out,
  shrink: o.shrink,
  log: report.log,
  progress: report.progress,
});
report.end();
const secs = ((Date.now() - t0) / 1000).toFixed(1);
const errors = sum.errors > 0 ? `, ${sum.errors} harness errors` : "";
const skipped = sum.skipped.length > 0 ? `, ${sum.skipped.length} skipped on this host` : "";
console.log(
  `seed ${o.seed}: ${sum.cases} cases, ${sum.agree} agree, ${sum.differ} differ${skipped}` +
    `${errors} (${secs} s); ${sum.adaptations}`,
);
if (sum.differ > 0) {
  console.log(`reproduce: npx -y deno@2.9.6 task fuzz --seed ${o.seed} --cases ${o.cases}`);
}
Deno.exit(sum.differ > 0 || sum.errors > 0 ? 1 : 0);
