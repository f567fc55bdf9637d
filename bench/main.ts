/**
 * `deno task bench`: mmlab's speed next to the real kernel's, op by op.
 *
 * Runs every benchmark on mmlab (bench/mmlab_bench.ts, through mod.ts),
 * then the same operations with real syscalls (bench/kernel_bench.c,
 * compiled with gcc -O2 -pthread into a temporary directory), and prints a table of
 * both figures and mmlab's speed-up over the kernel, marking the ops below
 * the 2× goal.
 *
 *   deno task bench                     the full run (about 30 s)
 *   deno task bench --quick             a smoke run of a few seconds
 *   deno task bench --only fork,maps    some ops (a prefix selects a group: mprotect)
 *   deno task bench --mmlab-only        skip the kernel side
 *   deno task bench --json              machine-readable output
 *   deno task bench --only snapshot     the snapshot/restore/undo rows (mmlab only)
 * @module
 */

import { Command } from "commander";
import { PLAIN_OUTPUT } from "../repl/cli_output.ts";
import { FULL, hasHostCounterpart, type Measurement, QUICK, selectOps, type Sizes } from "./ops.ts";
import type { WorkerReply, WorkerRequest } from "./mmlab_worker.ts";
import { type KernelOutcome, runKernel } from "./kernel.ts";
import { compare, fmtValue, formatNotes, formatTable } from "./report.ts";
import { benchSnapshot, formatSnapshotRows, type SnapshotFigures } from "./snapshot_bench.ts";
import { ProgressLine, type ProgressStream } from "../repl/progress_line.ts";

const USAGE = `usage: deno task bench [--quick] [--only NAME[,NAME...]] [--mmlab-only] [--json]
ops: mmap fault mprotect-split mprotect-rand-1k mprotect-rand-60k fork maps uffd snapshot
     (--only mprotect selects the three mprotect ops)`;

interface Options {
  sizes: Sizes;
  quick: boolean;
  only: string[];
  kernel: boolean;
  json: boolean;
}

/**
 * The options, or what to print before the usage ("" for --help): commander,
 * as every other task parses its arguments.
 */
function parseArgs(args: string[]): Options | string {
  let problem = "";
  const program = new Command()
    .name("bench")
    .option("--quick", "a smoke run of a few seconds")
    .option(
      "--only <names>",
      "some ops, comma-separated (a prefix selects a group)",
      (v: string, prev: string[] = []) => [...prev, ...v.split(",").filter((x) => x !== "")],
    )
    .option("--mmlab-only", "skip the kernel side")
    .option("--json", "machine-readable output")
    .exitOverride()
    .configureOutput({ ...PLAIN_OUTPUT, writeOut: () => {}, writeErr: (t) => (problem += t) });
  try {
    program.parse(args, { from: "user" });
  } catch (e) {
    if ((e as { exitCode?: number }).exitCode === 0) return "";
    return problem.trim().replace(/^error: /, "") || String(e);
  }
  const v = program.opts<
    { quick?: boolean; only?: string[]; mmlabOnly?: boolean; json?: boolean }
  >();
  if (v.only !== undefined && v.only.length === 0) return "--only needs a name";
  return {
    sizes: v.quick ? QUICK : FULL,
    quick: v.quick ?? false,
    only: v.only ?? [],
    kernel: !v.mmlabOnly,
    json: v.json ?? false,
  };
}

/** Runs one op on mmlab in a fresh worker (its own heap). */
function runInWorker(sizes: Sizes, op: string): Promise<Measurement> {
  const w = new Worker(new URL("./mmlab_worker.ts", import.meta.url), { type: "module" });
  return new Promise((resolve, reject) => {
    w.onmessage = (e: MessageEvent<WorkerReply>) => {
      w.terminate();
      if (e.data.ok) resolve(e.data.m);
      else reject(new Error(`mmlab ${op}: ${e.data.error}`));
    };
    w.onerror = (e) => {
      e.preventDefault();
      w.terminate();
      reject(new Error(`mmlab ${op}: ${e.message}`));
    };
    w.postMessage({ sizes, op } satisfies WorkerRequest);
  });
}

/**
 * The bench: `args` as on the command line; progress (which row runs) is
 * drawn on `progress` when it is a terminal (stderr; nothing when piped).
 */
export async function main(
  args: string[] = Deno.args,
  progress: ProgressStream = Deno.stderr,
): Promise<number> {
  const opts = parseArgs(args);
  if (typeof opts === "string") {
    if (opts !== "") console.error(opts);
    console.error(USAGE);
    return opts === "" ? 0 : 2;
  }
  // snapshot: mmlab-only rows after the table (bench/snapshot_bench.ts).
  const snapshot = opts.only.length === 0 || opts.only.includes("snapshot");
  const only = opts.only.filter((o) => o !== "snapshot");
  const ops = only.length === 0 && opts.only.length > 0 ? [] : selectOps(only);
  if (typeof ops === "string") {
    console.error(ops);
    return 2;
  }
  // Progress goes to stderr, so that --json output stays clean; on a terminal
  // one more line says which row runs now (repl/progress_line.ts).
  const line = new ProgressLine(progress);
  const log = (s: string) => {
    line.clear();
    console.error(s);
  };
  const running = (what: string) => line.draw(`bench: ${what}`, true);
  log(`mmlab bench${opts.quick ? " (--quick: indicative figures only)" : ""}: ${ops.join(" ")}`);
  const t0 = performance.now();
  const mmlab: Measurement[] = [];
  for (const [i, op] of ops.entries()) {
    running(`mmlab ${op} (${i + 1} of ${ops.length})`);
    const m = await runInWorker(opts.sizes, op);
    mmlab.push(m);
    log(`  mmlab   ${m.op.padEnd(18)} ${fmtValue(m.value, m.unit).padStart(7)} ${m.unit}`);
  }
  let kernel: KernelOutcome = { ok: false, reason: "--mmlab-only" };
  if (opts.kernel && ops.some(hasHostCounterpart)) {
    log("kernel side: gcc -O2 -pthread bench/kernel_bench.c ...");
    running(`kernel: ${ops.filter(hasHostCounterpart).join(" ")}`);
    kernel = await runKernel(opts.sizes, ops.filter(hasHostCounterpart));
    line.clear();
    if (kernel.ok) {
      // Emulated hardware (the device rows) has no host counterpart.
      for (const op of ops.filter((o) => !hasHostCounterpart(o))) {
        kernel.skipped.push({ op, reason: "no host counterpart (an emulated PCI device)" });
      }
      for (const k of kernel.results) {
        log(`  kernel  ${k.op.padEnd(18)} ${fmtValue(k.value, k.unit).padStart(7)} ${k.unit}`);
      }
      for (const k of kernel.skipped) log(`  kernel  ${k.op.padEnd(18)} skipped: ${k.reason}`);
    } else {
      log(`no kernel figures (${kernel.reason}); reporting mmlab only.`);
    }
  }
  const rows = compare(opts.sizes, mmlab, kernel.ok ? kernel.results : []);
  let snap: SnapshotFigures | undefined;
  if (snapshot) {
    log("  mmlab   snapshot ...");
    running("mmlab snapshot, restore, undo");
    snap = await benchSnapshot(opts.sizes);
    line.clear();
  }
  const seconds = (performance.now() - t0) / 1000;
  if (opts.json) {
    console.log(JSON.stringify(
      {
        quick: opts.quick,
        kernel: kernel.ok
          ? { uname: kernel.uname, skippedOps: kernel.skipped }
          : { skipped: kernel.reason },
        seconds,
        rows,
        mmlab,
        kernelResults: kernel.ok ? kernel.results : [],
        snapshot: snap ?? null,
      },
      null,
      2,
    ));
    return 0;
  }
  console.log("");
  if (rows.length > 0) {
    console.log(
      `mmlab vs ${kernel.ok ? `Linux ${kernel.uname}` : "the issue's kernel figures"}` +
        `${opts.quick ? " (--quick)" : ""}, ${seconds.toFixed(0)} s`,
    );
    for (const l of formatTable(rows)) console.log(l);
    console.log("");
    for (const l of formatNotes(rows, kernel.ok)) console.log(l);
  }
  if (kernel.ok) {
    for (const k of kernel.skipped) {
      console.log(`* ${k.op}: no kernel figure on this host (${k.reason}); ratio vs the issue's.`);
    }
  }
  if (snap !== undefined) {
    if (rows.length > 0) console.log("");
    for (const l of formatSnapshotRows(snap)) console.log(l);
  }
  const below = rows.filter((r) => r.meetsGoal === false).map((r) => r.op);
  console.log("");
  console.log(
    below.length === 0 ? "All ops meet the goal." : `Below the goal: ${below.join(", ")}`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main());
