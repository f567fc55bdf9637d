/**
 * Replaying a transcript: build the machine its header describes, run each
 * command, and check the prompt and every output line against what the
 * transcript expects. The first divergence stops the file (what follows it
 * ran on a different machine state) and is reported with its file:line,
 * expected and actual lines, and the commands around it. `update` rewrites
 * the expected output instead.
 * @module
 */

import { Session } from "../session.ts";
import {
  type Block,
  parseTranscript,
  renderTranscript,
  type Transcript,
  TranscriptError,
} from "./format.ts";
import { type Interrupt, yieldToInput } from "../interrupt.ts";
import { matchBlock } from "./match.ts";
import type { MachineConfig } from "../../mod.ts";

/** The first place a replay parted ways with its transcript. */
export interface ReplayFailure {
  /** 1-based file line of the divergent expected line (or of the command). */
  line: number;
  command: string;
  /** What was wrong, in one line. */
  what: string;
  expected: string[];
  actual: string[];
  /** The commands (with prompts) before the failing one, for context. */
  before: string[];
}

export interface ReplayResult {
  /** Commands that matched. */
  passed: number;
  failure?: ReplayFailure;
  /** With `update`: the rewritten transcript text. */
  updated?: string;
  /** The transcript itself was malformed. */
  malformed?: TranscriptError;
  /** Stopped by Ctrl-C before the command at this line. */
  interrupted?: { line: number };
}

/** How long a replay runs between two turns for input (Ctrl-C). */
const YIELD_EVERY_MS = 100;

/** The machine configuration a transcript header describes. */
export function headerConfig(t: Transcript): MachineConfig {
  return {
    seed: t.header.seed,
    ramBytes: t.header.ram,
    preset: t.header.preset,
    policies: t.header.policies as MachineConfig["policies"],
  };
}

/**
 * Builds the session for a header. The header's values were checked line
 * by line when it was parsed (repl/machine_text.ts), so this fails only
 * on a combination no single line shows; the error then names line 1.
 */
export function sessionFor(t: Transcript, _text?: string): Session {
  try {
    return new Session({ config: headerConfig(t) });
  } catch (e) {
    throw new TranscriptError(
      1,
      `the header's machine cannot be built: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

/**
 * A transcript with no command verifies nothing: it is refused rather than
 * passing as "ok (0 commands)" (a typo in every prompt would pass too).
 */
export function checkHasCommands(t: Transcript, text: string): void {
  if (t.blocks.some((b) => b.kind === "command")) return;
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  throw new TranscriptError(
    Math.max(1, lines.length),
    "no commands to verify (a command is a line '  [PID] mm> ...', indented two spaces)",
  );
}

/** Replays one transcript's text. Never throws. */
export async function replayText(
  text: string,
  opts: { update?: boolean; interrupt?: Interrupt } = {},
): Promise<ReplayResult> {
  let t: Transcript;
  let session: Session;
  try {
    t = parseTranscript(text);
    checkHasCommands(t, text);
    session = sessionFor(t, text);
  } catch (e) {
    if (e instanceof TranscriptError) return { passed: 0, malformed: e };
    throw e;
  }
  let passed = 0;
  const history: string[] = [];
  const total = t.blocks.filter((b) => b.kind === "command").length;
  let lastYield = performance.now();
  for (const b of t.blocks) {
    if (b.kind !== "command") continue;
    if (opts.interrupt !== undefined) {
      // Ctrl-C is looked at between commands; input gets a turn every tenth of a second.
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await yieldToInput();
        lastYield = performance.now();
      }
      opts.interrupt.progress("replay", passed, total);
      if (opts.interrupt.requested()) return { passed, interrupted: { line: b.line } };
    }
    const promptPid = session.promptTag();
    const r = await session.run(b.input);
    const actual = r.output;
    if (opts.update) {
      if (matchBlock(b.expected, actual) !== null || b.pid !== promptPid) {
        b.expected = actual;
        b.pid = promptPid;
      }
      passed++;
      continue;
    }
    if (b.pid !== promptPid) {
      return {
        passed,
        failure: {
          line: b.line,
          command: b.input,
          what: `the prompt shows process ${promptPid}, the transcript expects ${b.pid}`,
          expected: [`[${b.pid}] mm> ${b.input}`],
          actual: [`[${promptPid}] mm> ${b.input}`],
          before: history.slice(-3),
        },
      };
    }
    const d = matchBlock(b.expected, actual);
    if (d !== null) {
      return {
        passed,
        failure: {
          line: b.line + 1 + Math.min(d.expectedIndex, b.expected.length),
          command: b.input,
          what: d.expectedIndex >= b.expected.length
            ? "more output than expected"
            : d.actualIndex >= actual.length
            ? "less output than expected"
            : "output differs",
          expected: b.expected,
          actual,
          before: history.slice(-3),
        },
      };
    }
    passed++;
    history.push(`[${promptPid}] mm> ${b.input}`);
  }
  const result: ReplayResult = { passed };
  if (opts.update) result.updated = renderTranscript(t);
  return result;
}

/** Formats a failure for a person: file:line, expected vs actual, context. */
export function describeFailure(file: string, f: ReplayFailure): string[] {
  const out = [`${file}:${f.line}: ${f.what} after: ${f.command}`];
  if (f.before.length) {
    out.push("  context:");
    for (const c of f.before) out.push(`    ${c}`);
  }
  out.push("  expected:");
  for (const l of f.expected) out.push(`    ${l}`);
  if (f.expected.length === 0) out.push("    (nothing)");
  out.push("  actual:");
  for (const l of f.actual) out.push(`    ${l}`);
  if (f.actual.length === 0) out.push("    (nothing)");
  return out;
}

/** Blocks of the lab's student view: answers hidden unless solving. */
export function visibleBlocks(blocks: Block[], solve: boolean): Block[] {
  return solve ? blocks : blocks.filter((b) => b.kind !== "answer");
}
