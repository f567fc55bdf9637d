/**
 * Batch mode: run command lines from a file or a pipe and print a
 * transcript. Each command is echoed after its prompt and followed by its
 * output; blank lines and `#` comment lines are echoed as they are, not
 * run. A malformed line prints `FILE:LINE:COL: error: ...; hint` and the
 * run goes on; the exit status is 1 if any line was malformed (or mmlab
 * failed), else 0. `quit` stops the run. With `jsonl`, each command line
 * prints one JSON object instead (`deno task repl --jsonl < FILE`).
 * @module
 */

import type { Session } from "./session.ts";
import { lineJson } from "./json_result.ts";

/** How to run a batch. */
export interface BatchOptions {
  session: Session;
  /** The name errors are reported under (a file path, or `<stdin>`). */
  source: string;
  /** Receives each output line. */
  write: (line: string) => void;
  /**
   * JSON lines: one JSON object per command line (repl/json_result.ts) instead
   * of the transcript; blank and comment lines print nothing.
   */
  jsonl?: boolean;
  /** Decorates output lines (colour); identity by default. */
  paint?: { prompt: (p: string) => string; line: (l: string) => string };
}

/** The outcome of a batch run. */
export interface BatchResult {
  /** Lines that were malformed or failed inside mmlab. */
  errors: number;
  /** The exit status: 1 if any line was malformed, else 0. */
  status: number;
  /** A `quit` line ended the run. */
  quit?: boolean;
}

/** Runs lines (an array, or a stream of them) and writes the transcript. */
export async function runBatch(
  lines: Iterable<string> | AsyncIterable<string>,
  opts: BatchOptions,
): Promise<BatchResult> {
  const paintPrompt = opts.paint?.prompt ?? ((p: string) => p);
  const paintLine = opts.paint?.line ?? ((l: string) => l);
  let errors = 0;
  let n = 0;
  let quit = false;
  for await (const raw of lines) {
    n++;
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) {
      if (!opts.jsonl) opts.write(line);
      continue;
    }
    const prompt = opts.session.promptTag();
    if (!opts.jsonl) opts.write(paintPrompt(opts.session.prompt()) + line);
    const r = await opts.session.run(line, { file: opts.source, line: n });
    if (opts.jsonl) opts.write(JSON.stringify(lineJson(line, prompt, r.output, r.data, r.error)));
    else for (const o of r.output) opts.write(paintLine(o));
    if (r.error) errors++;
    if (r.quit) {
      quit = true;
      break;
    }
  }
  return quit
    ? { errors, status: errors > 0 ? 1 : 0, quit }
    : { errors, status: errors > 0 ? 1 : 0 };
}

/** Splits text into lines (a final newline does not make an empty line). */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The lines of a byte stream, as they arrive. */
export async function* streamLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
  if (buf !== "") yield buf;
}
