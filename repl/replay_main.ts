/**
 * `deno task replay [--update] [--step] FILE...`: replays transcripts and
 * verifies every output line; prints one line per file and a summary
 * `N passed, N failed`; exits 1 on any failure. A transcript with no
 * command verifies nothing and counts as a failure ("no commands to
 * verify"), so a file whose prompts were all mistyped cannot pass. `--update` rewrites the
 * expected output in place. `--step` walks one transcript a command at a
 * time (Enter runs the next one; anything else typed runs as your own
 * command in the same session first).
 * @module
 */

import { Command } from "commander";
import { PLAIN_OUTPUT } from "./cli_output.ts";
import process from "node:process";
import { describeFailure, replayText } from "./transcript/replay.ts";
import { stepThrough } from "./transcript/step.ts";

const program = new Command()
  .configureOutput(PLAIN_OUTPUT)
  .name("replay")
  .description("replay mmlab transcripts and verify every output line")
  .argument("<files...>", "transcripts (.mm)")
  .option("--update", "rewrite expected output with what mmlab prints now")
  .option("--step", "run one transcript a command at a time, interactively")
  .exitOverride();

try {
  program.parse(["deno", "replay", ...Deno.args]);
} catch (e) {
  // --help and --version end here too, with exit code 0; usage errors exit 2.
  Deno.exit((e as { exitCode?: number }).exitCode === 0 ? 0 : 2);
}
const opts = program.opts<{ update?: boolean; step?: boolean }>();
const files = program.args;

if (opts.step) {
  if (files.length !== 1) {
    console.error("replay: --step takes one transcript");
    Deno.exit(2);
  }
  Deno.exit(await stepThrough(files[0], process.stdin, process.stdout));
}

const commands = (n: number) => `${n} command${n === 1 ? "" : "s"}`;

let passed = 0, failed = 0;
for (const file of files) {
  let text: string;
  try {
    if ((await Deno.stat(file)).isDirectory) throw new Error("a directory, not a transcript");
    text = await Deno.readTextFile(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "no such file"
      : e instanceof Error
      ? e.message.replace(/ \(os error \d+\).*$/, "")
      : String(e);
    console.log(`${file}: cannot read: ${why}`);
    failed++;
    continue;
  }
  const r = await replayText(text, { update: opts.update });
  if (r.malformed) {
    console.log(`${file}:${r.malformed.line}: malformed transcript: ${r.malformed.message}`);
    failed++;
  } else if (r.failure) {
    for (const l of describeFailure(file, r.failure)) console.log(l);
    failed++;
  } else {
    if (opts.update && r.updated !== undefined && r.updated !== text) {
      await Deno.writeTextFile(file, r.updated);
      console.log(`${file}: updated (${commands(r.passed)})`);
    } else console.log(`${file}: ok (${commands(r.passed)})`);
    passed++;
  }
}
console.log(`${passed} passed, ${failed} failed`);
Deno.exit(failed > 0 ? 1 : 0);
