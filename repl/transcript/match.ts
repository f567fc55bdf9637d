/**
 * Matching actual output against a transcript's expected lines, with the
 * matchers a writer uses to leave lines open: ` (re)`, ` (glob)` and `...`.
 *
 * Costs are bounded whatever the transcript holds: a line matcher is linear
 * in the line (regex.ts), and a block is matched by a dynamic program over
 * (expected line, actual line) pairs without recursion, so at most
 * expected x actual line comparisons, and far fewer when `...` is rare.
 * @module
 */

import { LineRegex, RegexError } from "./regex.ts";

/** Compiled `(re)` and `(glob)` lines, by text (bounded; cleared when full). */
const compiled = new Map<string, LineRegex>();

function regexFor(expected: string): LineRegex {
  let re = compiled.get(expected);
  if (re === undefined) {
    re = expected.endsWith(" (re)")
      ? new LineRegex(expected.slice(0, -5))
      : new LineRegex(globToRegex(expected.slice(0, -7)));
    if (compiled.size >= 4096) compiled.clear();
    compiled.set(expected, re);
  }
  return re;
}

/** Is `expected` a matcher line (` (re)` or ` (glob)`)? */
function isMatcher(expected: string): boolean {
  return expected.endsWith(" (re)") || expected.endsWith(" (glob)");
}

/**
 * Why an expected line can never be used (an invalid or refused `(re)`
 * pattern, a glob too long), or null when it is fine.
 */
export function checkExpectedLine(expected: string): string | null {
  if (!isMatcher(expected)) return null;
  try {
    regexFor(expected);
    return null;
  } catch (e) {
    if (!(e instanceof RegexError)) throw e;
    return expected.endsWith(" (re)")
      ? `invalid regular expression in a (re) line: ${e.message}`
      : `invalid (glob) line: ${e.message}`;
  }
}

/** Does one actual line satisfy one expected line? An invalid pattern matches nothing. */
export function lineMatches(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  if (!isMatcher(expected)) return false;
  try {
    return regexFor(expected).test(actual);
  } catch (e) {
    if (e instanceof RegexError) return false;
    throw e;
  }
}

function globToRegex(glob: string): string {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\" && i + 1 < glob.length) re += escape(glob[++i]);
    else if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else re += escape(c);
  }
  return re;
}

function escape(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Where expected and actual first part ways, or null when they match. */
export interface Divergence {
  /** Index into expected (may equal its length: actual has more lines). */
  expectedIndex: number;
  /** Index into actual (may equal its length: actual has fewer lines). */
  actualIndex: number;
}

/**
 * Matches a whole block; `...` matches any number of lines. The
 * divergence reported is the furthest point any way of matching reached
 * (the most expected lines, then the most actual lines).
 *
 * Row by row over the expected lines, the set of actual positions still
 * reachable: a literal or matcher line keeps the positions whose line
 * matches (one step on), a `...` line opens every position from the
 * smallest onwards (kept as a bound, not a list). Each row costs at most
 * one comparison per actual line.
 */
export function matchBlock(
  expected: readonly string[],
  actual: readonly string[],
  stats?: { comparisons: number },
): Divergence | null {
  const matches = (exp: string, act: string) => {
    if (stats) stats.comparisons++;
    return lineMatches(exp, act);
  };
  const n = actual.length;
  // Reachable positions: either the explicit sorted list `at`, or every
  // position from `from` to n when `from` >= 0.
  let at: number[] = [0];
  let from = -1;
  let best: Divergence = { expectedIndex: 0, actualIndex: 0 };
  for (let e = 0; e < expected.length; e++) {
    const exp = expected[e];
    if (exp === "...") {
      if (from < 0) from = at[0];
      at = [];
      best = { expectedIndex: e + 1, actualIndex: n };
      continue;
    }
    const next: number[] = [];
    if (from >= 0) {
      for (let a = from; a < n; a++) if (matches(exp, actual[a])) next.push(a + 1);
    } else {
      for (const a of at) if (a < n && matches(exp, actual[a])) next.push(a + 1);
    }
    if (next.length === 0) {
      // Nothing survives this line: the furthest point was the previous row.
      if (from < 0) best = { expectedIndex: e, actualIndex: at[at.length - 1] };
      return best;
    }
    at = next;
    from = -1;
    best = { expectedIndex: e + 1, actualIndex: at[at.length - 1] };
  }
  if (from >= 0) return null; // ended on `...`: takes the rest
  if (at[at.length - 1] === n) return null;
  return best;
}
