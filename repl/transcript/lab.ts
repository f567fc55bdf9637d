/**
 * Labs: transcripts written for teaching. The student view shows the prose,
 * the commands to run and the questions; expected output and answers
 * appear with `--solve`. `check` verifies a student's own recorded session
 * against the lab: the recording must replay (it was really produced by
 * mmlab), and each of the lab's commands must appear in it, in order, with
 * the output the lab expects.
 * @module
 */

import { type Block, parseTranscript, type Transcript, TranscriptError } from "./format.ts";
import { matchBlock } from "./match.ts";
import { describeFailure, replayText } from "./replay.ts";

/** The lab's title: its first non-empty prose line. */
export function labTitle(t: Transcript): string {
  const p = t.blocks.find((b) => b.kind === "prose" && b.text.trim() !== "");
  return p && p.kind === "prose" ? p.text.trim() : "(untitled)";
}

/** The lab as a student (or, with `solve`, a teacher) reads it. */
export function labView(t: Transcript, solve: boolean): string[] {
  const out: string[] = [];
  for (const b of t.blocks) {
    // `!= EXPR`: a checked answer (lab_variant.ts), shown only by --solve.
    if (b.kind === "prose") {
      if (solve || !b.text.startsWith("!= ")) out.push(b.text);
    } else if (b.kind === "question") out.push(`? ${b.text}`);
    else if (b.kind === "answer") {
      if (solve) out.push(`! ${b.text}`);
    } else {
      out.push(`  [${b.pid}] mm> ${b.input}`);
      if (solve) { for (const l of b.expected) out.push(`  ${l}`); }
    }
  }
  return out;
}

const norm = (s: string) => s.replace(/\s+/g, " ").trim();

/** One line per lab step, and whether all passed. */
export interface CheckReport {
  lines: string[];
  passed: number;
  failed: number;
}

/** Checks a student's recorded transcript text against a lab. */
export async function checkSession(
  labFile: string,
  lab: Transcript,
  sessionFile: string,
  sessionText: string,
): Promise<CheckReport> {
  const lines: string[] = [];
  let student: Transcript;
  try {
    student = parseTranscript(sessionText);
  } catch (e) {
    if (e instanceof TranscriptError) {
      return {
        lines: [`${sessionFile}:${e.line}: malformed transcript: ${e.message}`],
        passed: 0,
        failed: 1,
      };
    }
    throw e;
  }
  const replay = await replayText(sessionText);
  if (replay.malformed && !student.blocks.some((b) => b.kind === "command")) {
    return {
      lines: [
        `${sessionFile}:${replay.malformed.line}: the session has no commands ` +
        "(record one with: deno task repl --record FILE, then run the lab's commands)",
      ],
      passed: 0,
      failed: 1,
    };
  }
  if (replay.malformed || replay.failure) {
    const why = replay.failure
      ? describeFailure(sessionFile, replay.failure)
      : [`${sessionFile}:${replay.malformed!.line}: ${replay.malformed!.message}`];
    return {
      lines: [
        `${sessionFile} does not replay: it was edited, or recorded with another mmlab`,
        ...why,
      ],
      passed: 0,
      failed: 1,
    };
  }
  for (const k of ["seed", "ram", "preset"] as const) {
    if (student.header[k] !== lab.header[k]) {
      lines.push(`note: the session's ${k} is ${student.header[k]}, the lab's ${lab.header[k]}`);
    }
  }
  const cmds = student.blocks.filter((b): b is Extract<Block, { kind: "command" }> =>
    b.kind === "command"
  );
  let at = 0, passed = 0, failed = 0, step = 0;
  for (const b of lab.blocks) {
    if (b.kind !== "command") continue;
    step++;
    const where = `step ${step} (${labFile}:${b.line}) ${b.input}`;
    const i = cmds.findIndex((c, j) => j >= at && norm(c.input) === norm(b.input));
    if (i < 0) {
      lines.push(`${where}: not run`);
      failed++;
      continue;
    }
    at = i + 1;
    if (matchBlock(b.expected, cmds[i].expected) === null) {
      lines.push(`${where}: ok`);
      passed++;
    } else {
      lines.push(`${where}: differs (${sessionFile}:${cmds[i].line}); the lab expects:`);
      for (const l of b.expected) lines.push(`    ${l}`);
      failed++;
    }
  }
  return { lines, passed, failed };
}
