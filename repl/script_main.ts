/**
 * `deno task script FILE.ts [--timeout SECONDS] [--memory MB]`: runs a
 * TypeScript experiment against mmlab in a sandbox (no files, network,
 * environment or subprocesses; only the mmlab API). See sandbox/runner.ts
 * for the script's shape.
 * @module
 */

import { Command, InvalidArgumentError } from "commander";
import { PLAIN_OUTPUT } from "./cli_output.ts";
import { runScript } from "./sandbox/script.ts";

const positive = (what: string) => (v: string) => {
  if (!/^\d+$/.test(v) || Number(v) <= 0) {
    throw new InvalidArgumentError(`${what} must be a positive number`);
  }
  return Number(v);
};

const program = new Command()
  .configureOutput(PLAIN_OUTPUT)
  .name("script")
  .description("run a TypeScript experiment against mmlab, sandboxed")
  .argument("<file>", "the script (a module whose default export receives the mmlab API)")
  .option("--timeout <seconds>", "wall-clock limit", positive("timeout"), 10)
  .option("--memory <mb>", "heap limit in MiB", positive("memory"), 256)
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
  source = await Deno.readTextFile(file);
} catch (e) {
  console.error(`script: cannot read ${file}: ${e instanceof Error ? e.message : e}`);
  Deno.exit(2);
}
const r = await runScript(source, { timeoutMs: opts.timeout * 1000, memoryMb: opts.memory });
await Deno.stdout.write(new TextEncoder().encode(r.stdout));
await Deno.stderr.write(new TextEncoder().encode(r.stderr));
Deno.exit(r.code);
