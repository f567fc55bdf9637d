/**
 * The mmlab transcript: a plain-text record of a session that replays and
 * verifies itself (compare cram's .t files). One file holds:
 *
 * ```
 * # mmlab transcript 1
 * # mmlab: 0.1.0
 * # seed: 1
 * # ram: 1G
 * # preset: linux-6.18
 * # policy: fork.pinnedPages=cow-steal
 *
 * Prose: any line that is not indented by two spaces.
 *
 *   [1] mm> a = mmap(0, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
 *   = 0x7ffff7fbe000
 *   [1] mm> maps
 *   ...
 *   7ffff7fbe000-7ffff7fbf000 r--p 00000000 00:00 0 (glob)
 *   ...
 * ? Why does the new mapping sit right below the libraries?
 * ! Top-down placement from mmap_base picks the highest gap that fits.
 * ```
 *
 * - The header (lines `# key: value` up to the first blank line) is
 *   everything replay needs to rebuild the machine. Its seed, ram, preset
 *   and policy values are read by the same parser as the command line's
 *   flags (repl/machine_text.ts): a value one accepts, the other accepts;
 *   a bad value is refused at its own header line.
 * - A command is a two-space-indented line starting with the prompt
 *   `[PID] mm> `; the two-space-indented lines after it are its expected
 *   output. An expected line ending in ` (re)` is a regular expression, one
 *   ending in ` (glob)` a glob (`*`, `?`), and a line `...` stands for any
 *   number of lines. Patterns run in linear time (regex.ts says which
 *   syntax); an invalid or refused one is an error at its line.
 * - `? ` lines are questions and `! ` lines their answers (labs): students
 *   see the questions, `--solve` shows the answers.
 * - Everything else is prose, kept as it is.
 * @module
 */

import {
  parsePolicyText,
  parsePresetText,
  parseRamText,
  parseSeedText,
  SettingError,
} from "../machine_text.ts";
import { checkExpectedLine } from "./match.ts";
import { pushAll } from "../bulk.ts";

export const TRANSCRIPT_MAGIC = "# mmlab transcript 1";
export const PROMPT_RE = /^\[(\d+(?:\.\d+)?)\] mm> (.*)$/;
export const INDENT = "  ";

/** The machine a transcript runs on. */
export interface TranscriptHeader {
  version: string;
  seed: number;
  /** RAM in bytes. */
  ram: number;
  preset: string;
  /** Policy knobs set on top of the preset, in file order. */
  policies: Record<string, string>;
  /** Header keys mmlab does not know, kept for round trips. */
  extra: [string, string][];
}

/** One piece of a transcript body. */
export type Block =
  | { kind: "prose"; text: string; line: number }
  | { kind: "question"; text: string; line: number }
  | { kind: "answer"; text: string; line: number }
  | {
    kind: "command";
    /** What the prompt showed: the pid, or PID.TID in a thread (`1.3`). */
    pid: string;
    input: string;
    /** Expected output lines (matchers included), without the indent. */
    expected: string[];
    /** 1-based line number of the command in the file. */
    line: number;
  };

export interface Transcript {
  header: TranscriptHeader;
  blocks: Block[];
}

/** A malformed transcript: `file:line: what`. */
export class TranscriptError extends Error {
  constructor(readonly line: number, message: string) {
    super(message);
  }
}

/** Sizes as the header writes them: 1G, 512M, or bytes. */
export function formatSize(bytes: number): string {
  for (const [unit, n] of [["G", 2 ** 30], ["M", 2 ** 20], ["K", 2 ** 10]] as const) {
    if (bytes % n === 0 && bytes >= n) return `${bytes / n}${unit}`;
  }
  return String(bytes);
}

/** Long user text is shown by its start only. */
function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** The header's text lines (ending with the blank line that closes it). */
export function renderHeader(h: TranscriptHeader): string[] {
  const out = [
    TRANSCRIPT_MAGIC,
    `# mmlab: ${h.version}`,
    `# seed: ${h.seed}`,
    `# ram: ${formatSize(h.ram)}`,
    `# preset: ${h.preset}`,
  ];
  for (const [k, v] of Object.entries(h.policies)) out.push(`# policy: ${k}=${v}`);
  for (const [k, v] of h.extra) out.push(`# ${k}: ${v}`);
  out.push("");
  return out;
}

/** Renders one command block. */
export function renderCommand(
  pid: number | string,
  input: string,
  output: readonly string[],
): string[] {
  return [`${INDENT}[${pid}] mm> ${input}`, ...output.map((l) => INDENT + l)];
}

/** Renders a whole transcript (the inverse of {@link parseTranscript}). */
export function renderTranscript(t: Transcript): string {
  const out = renderHeader(t.header);
  for (const b of t.blocks) {
    if (b.kind === "command") pushAll(out, renderCommand(b.pid, b.input, b.expected));
    else if (b.kind === "question") out.push(`? ${b.text}`);
    else if (b.kind === "answer") out.push(`! ${b.text}`);
    else out.push(b.text);
  }
  return out.join("\n") + "\n";
}

/** Parses a transcript; throws {@link TranscriptError} with the line at fault. */
export function parseTranscript(text: string): Transcript {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  if (lines[0] !== TRANSCRIPT_MAGIC) {
    throw new TranscriptError(
      1,
      `not an mmlab transcript: the first line must be "${TRANSCRIPT_MAGIC}"`,
    );
  }
  const header: TranscriptHeader = {
    version: "",
    seed: 1,
    ram: 2 ** 30,
    preset: "linux-6.18",
    policies: {},
    extra: [],
  };
  let i = 1;
  const seen = new Set<string>();
  for (; i < lines.length && lines[i] !== ""; i++) {
    const m = /^# ([\w.-]+): (.*)$/.exec(lines[i]);
    if (!m) {
      throw new TranscriptError(
        i + 1,
        `header lines look like "# key: value", not "${clip(lines[i])}" ` +
          "(a blank line ends the header)",
      );
    }
    const [, key, value] = m;
    if (key !== "policy" && seen.has(key)) {
      throw new TranscriptError(i + 1, `"# ${key}:" appears twice in the header`);
    }
    seen.add(key);
    try {
      if (key === "mmlab") header.version = value;
      else if (key === "seed") header.seed = parseSeedText(value);
      else if (key === "ram") header.ram = parseRamText(value);
      else if (key === "preset") header.preset = parsePresetText(value);
      else if (key === "policy") {
        const [knob, v] = parsePolicyText(value);
        header.policies[knob] = v;
      } else header.extra.push([key, value]);
    } catch (e) {
      if (e instanceof SettingError) throw new TranscriptError(i + 1, e.message);
      throw e;
    }
  }
  i++; // the blank line ending the header
  const blocks: Block[] = [];
  let cmd: Extract<Block, { kind: "command" }> | null = null;
  for (; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith(INDENT)) {
      const body = line.slice(INDENT.length);
      const pm = PROMPT_RE.exec(body);
      if (pm) {
        cmd = { kind: "command", pid: pm[1], input: pm[2], expected: [], line: i + 1 };
        blocks.push(cmd);
        continue;
      }
      if (cmd === null) {
        throw new TranscriptError(
          i + 1,
          "indented output before any command (commands start with '  [PID] mm> ')",
        );
      }
      const bad = checkExpectedLine(body);
      if (bad !== null) throw new TranscriptError(i + 1, bad);
      cmd.expected.push(body);
      continue;
    }
    cmd = null;
    if (line.startsWith("? ")) blocks.push({ kind: "question", text: line.slice(2), line: i + 1 });
    else if (line.startsWith("! ")) {
      blocks.push({ kind: "answer", text: line.slice(2), line: i + 1 });
    } else blocks.push({ kind: "prose", text: line, line: i + 1 });
  }
  return { header, blocks };
}
