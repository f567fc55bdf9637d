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
import { type Block, parseTranscript, TranscriptError } from "./format.ts";
import { Session } from "../session.ts";
import { sessionFor } from "./replay.ts";
import { matchBlock } from "./match.ts";
import { answerValue } from "./lab_variant.ts";
import { formatValue } from "../format.ts";

/** How to step. */
export interface StepOptions {
  /** Line editing (the input is a terminal). */
  terminal?: boolean;
  /**
   * Pause at each question for an answer (labs): a question with a checked
   * answer (`!= EXPR`) says whether it was right, and a score ends the run.
   */
  questions?: boolean;
}

/** Runs the walk-through; returns the exit status. */
export async function stepThrough(
  file: string,
  input: Readable,
  output: Writable,
  opts: StepOptions = {},
): Promise<number> {
  const terminal = opts.terminal ?? false;
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
  // On a terminal the lines typed (commands, answers) can be edited.
  const rl = createInterface({ input, output, terminal });
  const lines = rl[Symbol.asyncIterator]();
  const next = async (): Promise<string | null> => {
    const r = await lines.next();
    return r.done ? null : r.value;
  };
  say(`stepping through ${file}: Enter runs the shown command, anything else runs first`);
  const score = { right: 0, total: 0 };
  let question = 0;
  for (const [i, b] of t.blocks.entries()) {
    // `!= EXPR` is a checked answer (lab_variant.ts): never shown here.
    if (b.kind === "prose" && !b.text.startsWith("!= ")) say(b.text);
    else if (b.kind === "question" && !opts.questions) say(`? ${b.text}`);
    else if (b.kind === "question") {
      say(`? ${++question}. ${b.text}`);
      const checked = checkedAnswerAfter(t.blocks, i);
      output.write(checked === undefined ? "(your answer, or Enter) > " : "answer > ");
      const typed = await next();
      if (typed === null) {
        rl.close();
        return 0;
      }
      if (checked !== undefined) {
        score.total++;
        const right = await answerValue(session, checked);
        const mine = typed.trim() === "" ? undefined : await valueOf(typed);
        if ("value" in right && mine !== undefined && mine === right.value) {
          score.right++;
          say("right");
        } else {
          say(
            `not quite: the answer is ${"value" in right ? formatValue(right.value) : right.error}`,
          );
        }
      }
    } else if (b.kind === "command") {
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
  if (score.total > 0) say(`score: ${score.right}/${score.total}`);
  say("(end of transcript)");
  rl.close();
  return 0;
}

/** The `!= EXPR` of question `i`: the first such line before the next question or command. */
function checkedAnswerAfter(blocks: readonly Block[], i: number): string | undefined {
  for (const b of blocks.slice(i + 1)) {
    if (b.kind === "question" || b.kind === "command") return undefined;
    if (b.kind === "prose" && b.text.startsWith("!= ")) return b.text.slice(3).trim();
  }
  return undefined;
}

/** A typed answer's value, read as an mmlab expression in a scratch session. */
async function valueOf(text: string): Promise<bigint | undefined> {
  const r = await answerValue(new Session({ config: { ramBytes: 1 << 20 } }), text);
  return "value" in r ? r.value : undefined;
}
