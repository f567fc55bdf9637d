/**
 * The web view's teaching data: `explain` of one page for the three kinds
 * of access at once, and a command's `trace` steps taken out of its
 * printed output so the page can draw them in a panel of their own.
 *
 * Both read what the REPL's own commands produce: `explainJson` calls the
 * explainAccess/renderExplanation pair that `explain ADDR [r|w|x]` calls
 * (repl/commands/trace.ts), a dry run that changes nothing; the trace
 * steps are the ones Session.run() hands back in `data.trace`.
 * @module
 */

import {
  explainAccess,
  type Explanation,
  type Process,
  renderExplanation,
  type TraceStep,
  traceStepText,
} from "../mod.ts";

/** The accesses the explain panel shows side by side, in its column order. */
export const ACCESSES = ["read", "write", "exec"] as const;

/** One access's explanation: the REPL's text and `explain ADDR K --json`'s data. */
export interface AccessExplainJson {
  access: (typeof ACCESSES)[number];
  /** explain's outcome class (`hit`, `cow-copy`, `segv`, ...). */
  outcome: Explanation["outcome"];
  /** The lines `explain ADDR r|w|x` prints. */
  text: string[];
  /** The data `explain ADDR r|w|x --json` prints. */
  data: Explanation;
}

/** A page's explanation for read, write and exec. */
export interface ExplainJson {
  pid: number;
  /** The address asked about (the page clicked: its first byte). */
  addr: number;
  accesses: AccessExplainJson[];
}

/**
 * What a read, a write and an exec of `addr` by process `p` would do, and
 * why. Precondition: `p` is alive (explainAccess's). Changes nothing.
 */
export function explainJson(p: Process, addr: number): ExplainJson {
  return {
    pid: p.pid,
    addr,
    accesses: ACCESSES.map((access) => {
      const data = explainAccess(p, addr, access);
      return { access, outcome: data.outcome, text: renderExplanation(data), data };
    }),
  };
}

/**
 * `output` without the `trace: ` lines Session.run() put first for
 * `steps` (text or, under `trace json`, JSON records), in order. A filter
 * (`| grep`) may have dropped some of them: only lines that match the
 * next step are taken out, so the command's own lines always stay.
 */
export function withoutTraceLines(
  output: readonly string[],
  steps: readonly TraceStep[],
): string[] {
  const echo = (s: TraceStep, line: string) =>
    line === `trace: ${traceStepText(s)}` || line === `trace: ${JSON.stringify(s)}`;
  const out: string[] = [];
  let j = 0;
  for (const line of output) {
    // The step this line echoes, at or after the next one (a filter may have dropped some).
    let k = j;
    while (k < steps.length && !echo(steps[k], line)) k++;
    if (k < steps.length) j = k + 1;
    else out.push(line);
  }
  return out;
}
