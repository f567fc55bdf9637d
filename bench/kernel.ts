/**
 * The host kernel's side of `deno task bench`: compiles bench/kernel_bench.c
 * with `gcc -O2 -pthread` into a temporary directory, runs it with the same sizes as
 * the mmlab side and parses its `result` (and `skip`) lines.
 * @module
 */

import { kernelArgs, type Measurement, type Sizes, type Unit } from "./ops.ts";

/** Where the C counterpart lives. */
export const KERNEL_BENCH_C = `${import.meta.dirname}/kernel_bench.c`;

/** Either the kernel's figures, or why there are none. */
export type KernelOutcome =
  | { ok: true; results: Measurement[]; uname: string; skipped: Skip[] }
  | { ok: false; reason: string };

async function output(cmd: string, args: string[]): Promise<Deno.CommandOutput> {
  return await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
}

/** An op the host could not run (no userfaultfd, say), and why. */
export interface Skip {
  op: string;
  reason: string;
}

/** The `skip <op> <reason>` lines of the program's stdout. */
export function parseKernelSkips(text: string): Skip[] {
  return text.split("\n").map((l) => l.split("\t")).filter((f) => f[0] === "skip" && f.length >= 3)
    .map((f) => ({ op: f[1], reason: f.slice(2).join(" ") }));
}

/** Parses the program's stdout: `result <op> <median> <unit> <s1,s2,...>` lines. */
export function parseKernelOutput(text: string): Measurement[] {
  const out: Measurement[] = [];
  for (const line of text.split("\n")) {
    const f = line.split("\t");
    if (f[0] === "error") throw new Error(`kernel_bench: ${f.slice(1).join(": ")}`);
    if (f[0] !== "result" || f.length < 5) continue;
    out.push({
      op: f[1],
      value: Number(f[2]),
      unit: f[3] as Unit,
      samples: f[4].split(",").map(Number),
    });
  }
  return out;
}

/**
 * Compiles and runs the C benchmark for `ops`. Without gcc (or when it
 * fails to compile) the outcome says so and the caller reports mmlab only.
 */
export async function runKernel(s: Sizes, ops: readonly string[]): Promise<KernelOutcome> {
  try {
    const v = await output("gcc", ["--version"]);
    if (!v.success) return { ok: false, reason: "gcc --version failed" };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { ok: false, reason: "gcc not found in PATH" };
    throw e;
  }
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "mmlab-bench-" });
  try {
    const bin = `${dir}/kernel_bench`;
    const cc = await output("gcc", ["-O2", "-Wall", "-pthread", "-o", bin, KERNEL_BENCH_C]);
    if (!cc.success) {
      return { ok: false, reason: `gcc failed:\n${new TextDecoder().decode(cc.stderr)}` };
    }
    const run = await output(bin, kernelArgs(s, ops));
    const text = new TextDecoder().decode(run.stdout);
    const results = parseKernelOutput(text);
    if (!run.success) {
      const err = new TextDecoder().decode(run.stderr);
      throw new Error(`kernel_bench exited with ${run.code}: ${err}`);
    }
    const u = await output("uname", ["-r"]).catch(() => null);
    const uname = u?.success ? new TextDecoder().decode(u.stdout).trim() : "?";
    return { ok: true, results, uname, skipped: parseKernelSkips(text) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
