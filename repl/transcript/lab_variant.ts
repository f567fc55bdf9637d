/**
 * Lab variants and checked answers, OSTEP's `-s SEED` and `-c`:
 *
 * - A header line `# vary.NAME: 8K 16K 32K` declares a number to vary:
 *   the first value is the one the lab is written with (so the file
 *   replays as it is); a seed picks one of the values, and every
 *   whole-word occurrence of the first in the lab's commands, questions
 *   and prose is replaced by it. `# vary.NAME.FORM: 8192 16384 32768`
 *   writes the same number another way: it takes the value at the same
 *   position as NAME's (lists of one NAME have the same length). A lab
 *   whose numbers cannot vary says why in a `# fixed: WHY` line.
 * - A line `!= EXPR` after a question declares its checkable answer: the
 *   value of the mmlab expression EXPR (a variable, `peek(a)`, `errno`...)
 *   in the lab's session at that point. The student never sees it.
 * - A student's answers file has lines `N: VALUE` (N the question's
 *   number, VALUE an mmlab expression such as `0x1002`, `4K`, `EFAULT`...);
 *   `#` lines are comments.
 * - Answers (the student's and the `!=` ones) may also name errnos
 *   (`EFAULT`), si_codes (`SEGV_MAPERR`, `BUS_ADRERR`) and `yes`/`no`
 *   (1 and 0): {@link ANSWER_NAMES}. A lab's own variable wins.
 *
 * Variants run on a fresh machine: their outputs are what mmlab prints.
 * @module
 */

import type { Block, Transcript } from "./format.ts";
import { sessionFor } from "./replay.ts";
import { formatValue } from "../format.ts";
import { Session } from "../session.ts";
import { CONSTANTS } from "../constants.ts";
import { errnoName, siCodeName, SIGBUS, SIGSEGV } from "../../mod.ts";

/** Names an answer may use besides mmlab's constants: errnos, si_codes, yes and no. */
export const ANSWER_NAMES: ReadonlyMap<string, bigint> = (() => {
  const names = new Map<string, bigint>([["yes", 1n], ["no", 0n]]);
  for (let e = 1; e < 134; e++) {
    if (errnoName(e) !== `E${e}`) names.set(errnoName(e), BigInt(e));
  }
  // si_codes (compare include/uapi/asm-generic/siginfo.h); SEGV_ACCERR and BUS_ADRERR are both 2.
  for (const sig of [SIGSEGV, SIGBUS]) {
    for (let c = 1; c <= 5; c++) {
      const n = siCodeName(sig, c);
      if (n !== String(c)) names.set(n, BigInt(c));
    }
  }
  return names;
})();

/**
 * The value of answer expression `expr` in `session` ({@link ANSWER_NAMES}
 * visible for this line only, under the session's own variables).
 */
export async function answerValue(
  session: Session,
  expr: string,
): Promise<{ value: bigint } | { error: string }> {
  const added = [...ANSWER_NAMES].filter(([k]) => !session.vars.has(k));
  for (const [k, v] of added) session.vars.set(k, v);
  try {
    const r = await session.run(expr);
    if (r.error !== undefined) return { error: r.output.at(-1) ?? "no value" };
    // This line's own value (habits.last may be an earlier line's).
    const v = r.data?.value;
    return v === undefined ? { error: "no value" } : { value: v };
  } finally {
    for (const [k] of added) session.vars.delete(k);
  }
}

/** A number the lab lets a seed vary. */
export interface LabParam {
  name: string;
  /** The values; the first is the one the lab is written with. */
  values: string[];
}

/** The lab's `# vary.NAME:` lines. */
export function labParams(t: Transcript): LabParam[] {
  return t.header.extra
    .filter(([k]) => k.startsWith("vary."))
    .map(([k, v]) => ({ name: k.slice(5), values: v.trim().split(/\s+/) }));
}

/** Why the lab's numbers cannot vary: its `# fixed: WHY` header line, if any. */
export function labFixed(t: Transcript): string | undefined {
  return t.header.extra.find(([k]) => k === "fixed")?.[1].trim();
}

/** Which value each parameter takes under `seed` (deterministic, any host). */
export function chooseValues(params: readonly LabParam[], seed: number): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of params) {
    // FNV-1a over the seed and the name: stable, and different per parameter.
    // NAME.FORM shares NAME's pick (same index): one number written two ways.
    let h = 0x811c9dc5;
    for (const ch of `${seed >>> 0}:${p.name.split(".")[0]}`) {
      h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    }
    out.set(p.name, p.values[(h >>> 0) % p.values.length]);
  }
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The lab with its varied numbers replaced (expected output left as written). */
export function variantOf(t: Transcript, seed: number | undefined): Transcript {
  const params = labParams(t);
  if (seed === undefined || params.length === 0) return t;
  const chosen = chooseValues(params, seed);
  const swaps = params
    .filter((p) => chosen.get(p.name) !== p.values[0])
    .map((p) =>
      [new RegExp(`(?<![\\w.])${escape(p.values[0])}(?![\\w.])`, "g"), chosen.get(p.name)!] as const
    );
  const sub = (s: string) => swaps.reduce((acc, [re, v]) => acc.replace(re, v), s);
  const blocks: Block[] = t.blocks.map((b) =>
    b.kind === "command" ? { ...b, input: sub(b.input) } : { ...b, text: sub(b.text) }
  );
  return { header: t.header, blocks };
}

/** Whether a prose block is a checkable answer (`!= EXPR`). */
export function isCheckedAnswer(b: Block): boolean {
  return b.kind === "prose" && b.text.startsWith("!= ");
}

/** One command or answer of a run lab. */
export type SolvedStep =
  | { kind: "command"; pid: string; input: string; output: string[] }
  | {
    kind: "answer";
    question: number;
    expr: string;
    value: bigint | undefined;
    error?: string;
    /** The answer is this errno, si_code, constant or yes/no (not a lab variable). */
    name?: string;
  };

/** Runs a (variant of a) lab on a fresh machine; the outputs and checked answers it gives. */
export async function solveLab(t: Transcript): Promise<SolvedStep[]> {
  const session: Session = sessionFor(t);
  const steps: SolvedStep[] = [];
  let question = 0;
  for (const b of t.blocks) {
    if (b.kind === "question") question++;
    else if (b.kind === "command") {
      const pid = session.promptTag();
      const r = await session.run(b.input);
      steps.push({ kind: "command", pid, input: b.input, output: r.output });
    } else if (isCheckedAnswer(b)) {
      const expr = (b as { text: string }).text.slice(3).trim();
      const r = await answerValue(session, expr);
      steps.push(
        "error" in r
          ? { kind: "answer", question, expr, value: undefined, error: r.error }
          : { kind: "answer", question, expr, value: r.value, name: nameOf(expr, session) },
      );
    }
  }
  return steps;
}

/** `EINVAL`, `yes`: an answer written as a name the lab does not define. */
function nameOf(expr: string, session: Session): string | undefined {
  return (ANSWER_NAMES.has(expr) || CONSTANTS.has(expr)) && !session.vars.has(expr)
    ? expr
    : undefined;
}

/** `lab N --solve [--seed S]` when the lab varies or checks answers: what it really prints. */
export function solvedView(t: Transcript, steps: readonly SolvedStep[]): string[] {
  const out: string[] = [];
  let i = 0;
  let question = 0;
  for (const b of t.blocks) {
    if (b.kind === "command") {
      const s = steps[i++];
      if (s?.kind !== "command") continue;
      out.push(`  [${s.pid}] mm> ${s.input}`, ...s.output.map((l) => `  ${l}`));
    } else if (isCheckedAnswer(b)) {
      const s = steps[i++];
      if (s?.kind !== "answer") continue;
      out.push(
        s.value === undefined
          ? `! (question ${s.question}: ${s.expr} gives no value: ${s.error})`
          : `! question ${s.question}: ${s.name ? `${s.name} = ` : ""}${formatValue(s.value)}`,
      );
    } else if (b.kind === "question") out.push(`? ${++question}. ${b.text}`);
    else if (b.kind === "answer") out.push(`! ${b.text}`);
    else out.push(b.text);
  }
  return out;
}

/** The student view of a variant: commands and numbered questions, no outputs or answers. */
export function studentView(t: Transcript): string[] {
  const out: string[] = [];
  let question = 0;
  for (const b of t.blocks) {
    if (b.kind === "command") out.push(`  [${b.pid}] mm> ${b.input}`);
    else if (b.kind === "question") out.push(`? ${++question}. ${b.text}`);
    else if (b.kind === "prose" && !isCheckedAnswer(b)) out.push(b.text);
  }
  return out;
}

/**
 * The answers a student wrote in a recorded session: `# N: VALUE` comments
 * typed at the prompt (the recording keeps them as commands with no
 * output), as the text of an answers file.
 */
export function sessionAnswers(session: Transcript): string {
  return session.blocks
    .flatMap((b) => b.kind === "command" ? [/^#\s*(\d+\s*[:.)].*)$/.exec(b.input.trim())] : [])
    .flatMap((m) => m === null ? [] : [m[1]])
    .join("\n");
}

/**
 * The variant as a lab whose expected output is what the variant really
 * prints (`--check --seed`): a student's session of the variant checks against it.
 */
export function solvedLab(t: Transcript, steps: readonly SolvedStep[]): Transcript {
  const outputs = steps.flatMap((s) => s.kind === "command" ? [s.output] : []);
  let i = 0;
  const blocks = t.blocks.map((b): Block =>
    b.kind === "command" ? { ...b, expected: outputs[i++] ?? [] } : b
  );
  return { header: t.header, blocks };
}

/** The result of checking a student's answers. */
export interface AnswerReport {
  lines: string[];
  right: number;
  total: number;
}

/** Checks `N: VALUE` lines against the lab's checked answers. */
export async function checkAnswers(
  steps: readonly SolvedStep[],
  answersFile: string,
  answersText: string,
): Promise<AnswerReport> {
  const expected = steps.filter((s): s is Extract<SolvedStep, { kind: "answer" }> =>
    s.kind === "answer"
  );
  const given = new Map<number, { text: string; line: number }>();
  const lines: string[] = [];
  answersText.split("\n").forEach((raw, i) => {
    const l = raw.trim();
    if (l === "" || l.startsWith("#")) return;
    const m = /^(\d+)\s*[:.)]\s*(.+)$/.exec(l);
    if (m === null) {
      lines.push(`${answersFile}:${i + 1}: answers look like "3: 0x1002" (question: value)`);
      return;
    }
    given.set(Number(m[1]), { text: m[2], line: i + 1 });
  });
  // Values are read as mmlab expressions (constants and sizes allowed), in a scratch session.
  const scratch = new Session({ config: { ramBytes: 1 << 20 } });
  let right = 0;
  for (const e of expected) {
    const g = given.get(e.question);
    const where = `question ${e.question}`;
    if (g === undefined) {
      lines.push(`${where}: no answer`);
      continue;
    }
    const r = await answerValue(scratch, g.text);
    if ("error" in r) {
      lines.push(`${answersFile}:${g.line}: ${where}: ${r.error}`);
      continue;
    }
    if (e.value !== undefined && r.value === e.value) {
      lines.push(`${where}: ok`);
      right++;
    } else lines.push(`${where}: ${g.text} is not the answer`);
  }
  return { lines, right, total: expected.length };
}
