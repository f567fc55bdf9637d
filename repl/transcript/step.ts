/**
 * Step mode (`replay --step FILE`): a transcript shown one command at a
 * time, for a classroom. Prose and questions print as they come; each
 * command is shown at its prompt and runs when Enter is pressed; any other
 * line typed there runs first as the person's own command in the same
 * session, and the transcript's command waits. Answers stay hidden.
 * @module
 */

import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { parseTranscript, TranscriptError } from "./format.ts";
import { sessionFor } from "./replay.ts";
import { matchBlock } from "./match.ts";

/** Runs the walk-through; returns the exit status. */
export async function stepThrough(
  file: string,
  input: Readable,
  output: Writable,
): Promise<number> {
  const say = (l: string) => output.write(l + "\n");
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch (e) {
    say(`${file}: cannot read: ${e instanceof Error ? e.message : e}`);
    return 1;
  }
  let t, session;
  try {
    t = parseTranscript(text);
    session = sessionFor(t, text);
  } catch (e) {
    if (e instanceof TranscriptError) {
      say(`${file}:${e.line}: malformed transcript: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const rl = createInterface({ input, output, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const next = async (): Promise<string | null> => {
    const r = await lines.next();
    return r.done ? null : r.value;
  };
  say(`stepping through ${file}: Enter runs the shown command, anything else runs first`);
  for (const b of t.blocks) {
    if (b.kind === "prose") say(b.text);
    else if (b.kind === "question") say(`? ${b.text}`);
    else if (b.kind === "command") {
      for (;;) {
        output.write(`${session.prompt()}${b.input}   [Enter]\n`);
        const typed = await next();
        if (typed === null) {
          rl.close();
          return 0;
        }
        if (typed.trim() === "") break;
        for (const l of (await session.run(typed)).output) say(l);
      }
      const r = await session.run(b.input);
      for (const l of r.output) say(l);
      if (matchBlock(b.expected, r.output) !== null) {
        say(
          `(this differs from the transcript at ${file}:${b.line}: your own commands changed the machine)`,
        );
      }
    }
  }
  say("(end of transcript)");
  rl.close();
  return 0;
}
