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
import { InterruptToken } from "./interrupt.ts";

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

// Ctrl-C stops between two commands and says where; progress shows on a terminal only.
const tty = Deno.stdout.isTerminal() && Deno.env.get("NO_COLOR") === undefined &&
  Deno.env.get("CI") === undefined;
let current = "";
let shown = false;
let lastDraw = performance.now();
const token = new InterruptToken((_what, done, total) => {
  const now = performance.now();
  if (!tty || now - lastDraw < 250) return;
  lastDraw = now;
  shown = true;
  Deno.stdout.writeSync(
    new TextEncoder().encode(`\r(${current}: ${done}/${total} commands)\x1b[K`),
  );
});
const clearProgress = () => {
  if (shown) Deno.stdout.writeSync(new TextEncoder().encode("\r\x1b[K"));
  shown = false;
};
Deno.addSignalListener("SIGINT", () => token.request());

let passed = 0, failed = 0;
for (const file of files) {
  current = file;
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
  const r = await replayText(text, { update: opts.update, interrupt: token });
  clearProgress();
  if (r.interrupted) {
    console.log(`${file}:${r.interrupted.line}: interrupted (Ctrl-C) after ${commands(r.passed)}`);
    console.log(`${passed} passed, ${failed} failed, the rest not run`);
    Deno.exit(130);
  }
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
