/**
 * `deno task script FILE.ts [--timeout SECONDS] [--memory MB]`: runs a
 * TypeScript experiment against mmlab in a sandbox (no files, network,
 * environment or subprocesses; only the mmlab API). See sandbox/runner.ts
 * for the script's shape and sandbox/script.ts for the limits.
 *
 * Exit status: 0 the script returned; 1 it failed (threw, was refused,
 * tried to end the process itself, or printed more than the output limit);
 * 2 a usage error; 124 the time limit; 137 the memory limit.
 * @module
 */

import { Command, InvalidArgumentError } from "commander";
import { PLAIN_OUTPUT } from "./cli_output.ts";
import {
  MAX_MEMORY_MB,
  MAX_SOURCE_BYTES,
  MAX_TIMEOUT_MS,
  MIN_MEMORY_MB,
  runScript,
} from "./sandbox/script.ts";

const MAX_TIMEOUT_S = MAX_TIMEOUT_MS / 1000;

const whole = (what: string, min: number, max: number, unit: string) => (v: string) => {
  if (!/^\d{1,12}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max} ${unit}`);
  }
  return Number(v);
};

const program = new Command()
  .configureOutput(PLAIN_OUTPUT)
  .name("script")
  .description("run a TypeScript experiment against mmlab, sandboxed")
  .argument("<file>", "the script (a module whose default export receives the mmlab API)")
  .option(
    "--timeout <seconds>",
    `wall-clock limit (1 to ${MAX_TIMEOUT_S})`,
    whole("the timeout", 1, MAX_TIMEOUT_S, "seconds"),
    10,
  )
  .option(
    "--memory <mb>",
    `memory limit of the whole script process in MiB (${MIN_MEMORY_MB} to ${MAX_MEMORY_MB})`,
    whole("the memory limit", MIN_MEMORY_MB, MAX_MEMORY_MB, "MiB"),
    256,
  )
  .exitOverride();

try {
  program.parse(["deno", "script", ...Deno.args]);
} catch (e) {
  // --help and --version end here too, with exit code 0; usage errors exit 2.
  Deno.exit((e as { exitCode?: number }).exitCode === 0 ? 0 : 2);
}
const opts = program.opts<{ timeout: number; memory: number }>();
const file = program.args[0];
let source: string;
try {
  const info = await Deno.stat(file);
  if (!info.isFile) throw new Error("not a regular file");
  if (info.size > MAX_SOURCE_BYTES) {
    throw new Error(`larger than ${MAX_SOURCE_BYTES >> 20} MiB; a script is a small module`);
  }
  source = await Deno.readTextFile(file);
} catch (e) {
  console.error(`script: cannot read ${file}: ${e instanceof Error ? e.message : e}`);
  Deno.exit(2);
}
/** Writes all of `bytes`; a closed stdout (| head) drops the rest quietly. */
let stdoutOpen = true;
function toStdout(bytes: Uint8Array): void {
  try {
    for (let off = 0; stdoutOpen && off < bytes.length;) {
      off += Deno.stdout.writeSync(bytes.subarray(off));
    }
  } catch {
    stdoutOpen = false;
  }
}

// stdout streams through as the script prints; stderr (with the verdict) at the end.
const r = await runScript(source, {
  timeoutMs: opts.timeout * 1000,
  memoryMb: opts.memory,
  name: file,
  onStdout: toStdout,
});
try {
  await Deno.stderr.write(new TextEncoder().encode(r.stderr));
} catch { /* stderr closed */ }
Deno.exit(r.code);
