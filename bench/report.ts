/**
 * The comparison table of `deno task bench`: per op, mmlab's figure, the
 * kernel's from the same run, mmlab's speed relative to the kernel, and
 * whether that meets the goal (mmlab at least {@link GOAL}× the kernel).
 * @module
 */

import { GOAL, issueFigure, type Measurement, OPS, type Sizes, speedup, type Unit } from "./ops.ts";

/** One row of the comparison. */
export interface Row {
  op: string;
  title: string;
  unit: Unit;
  mmlab: number | null;
  kernel: number | null;
  /** The issue's kernel figure, when this run used the issue's size. */
  issueKernel: number | null;
  /** How many times faster mmlab is than this run's kernel (null without one). */
  speedup: number | null;
  /** The same against the issue's kernel figure. */
  speedupVsIssue: number | null;
  meetsGoal: boolean | null;
}

export function compare(
  sizes: Sizes,
  mmlab: readonly Measurement[],
  kernel: readonly Measurement[],
): Row[] {
  const rows: Row[] = [];
  for (const o of OPS) {
    const m = mmlab.find((x) => x.op === o.name) ?? null;
    const k = kernel.find((x) => x.op === o.name) ?? null;
    if (m === null && k === null) continue;
    const sp = m !== null && k !== null ? speedup(o.unit, m.value, k.value) : null;
    const issue = issueFigure(o, sizes);
    const spIssue = m !== null && issue !== null ? speedup(o.unit, m.value, issue) : null;
    rows.push({
      op: o.name,
      title: o.title(sizes),
      unit: o.unit,
      mmlab: m?.value ?? null,
      kernel: k?.value ?? null,
      issueKernel: issue,
      speedup: sp,
      speedupVsIssue: spIssue,
      meetsGoal: sp !== null ? sp >= GOAL : spIssue !== null ? spIssue >= GOAL : null,
    });
  }
  return rows;
}

/** 3 significant digits; rates with k/M suffixes. */
export function fmtValue(v: number | null, unit: Unit): string {
  if (v === null || !Number.isFinite(v)) return "-";
  if (unit === "ops/s") {
    if (v >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
    if (v >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
  }
  return v.toPrecision(3);
}

function fmtRatio(r: number | null): string {
  return r === null ? "-" : `${r.toFixed(2)}x`;
}

/** The table as lines of text. */
export function formatTable(rows: readonly Row[]): string[] {
  const head = ["op", "unit", "mmlab", "kernel", "mmlab/kernel", `goal >=${GOAL}x`, "issue kernel"];
  const body = rows.map((r) => {
    const vsIssue = r.speedup === null && r.speedupVsIssue !== null;
    const ratio = vsIssue ? `${fmtRatio(r.speedupVsIssue)}*` : fmtRatio(r.speedup);
    const status = r.meetsGoal === null ? "-" : r.meetsGoal ? "ok" : `BELOW ${GOAL}x  <<<`;
    return [
      r.op,
      r.unit,
      fmtValue(r.mmlab, r.unit),
      fmtValue(r.kernel, r.unit),
      ratio,
      status,
      fmtValue(r.issueKernel, r.unit),
    ];
  });
  const all = [head, ...body];
  const width = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  // Text columns left aligned, figures right aligned.
  const right = [false, false, true, true, true, false, true];
  const line = (cells: string[]) =>
    cells.map((c, i) => right[i] ? c.padStart(width[i]) : c.padEnd(width[i])).join("  ")
      .trimEnd();
  return [line(head), width.map((w) => "-".repeat(w)).join("  "), ...body.map(line)];
}

/** Footnotes: what each op is, and how to read the ratio. */
export function formatNotes(rows: readonly Row[], kernelRan: boolean): string[] {
  const notes = [
    `mmlab/kernel: how many times faster mmlab is (rates: mmlab/kernel; times: kernel/mmlab).`,
    `Goal: >= ${GOAL}x on every op. Medians of the timed repetitions.`,
  ];
  if (!kernelRan) notes.push("* no kernel run: ratio against the issue's kernel figure.");
  notes.push("issue kernel: the figure quoted in the issue (shown at the issue's sizes only).");
  for (const r of rows) notes.push(`  ${r.op.padEnd(18)} ${r.title}`);
  return notes;
}
