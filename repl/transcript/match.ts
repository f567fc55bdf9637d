/**
 * Matching actual output against a transcript's expected lines, with the
 * matchers a writer uses to leave lines open: ` (re)`, ` (glob)` and `...`.
 * @module
 */

/** Does one actual line satisfy one expected line? */
export function lineMatches(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  if (expected.endsWith(" (re)")) {
    try {
      return new RegExp(`^(?:${expected.slice(0, -5)})$`).test(actual);
    } catch {
      return false;
    }
  }
  if (expected.endsWith(" (glob)")) return globToRegExp(expected.slice(0, -7)).test(actual);
  return false;
}

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\" && i + 1 < glob.length) re += escape(glob[++i]);
    else if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else re += escape(c);
  }
  return new RegExp(`^${re}$`);
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

/** Matches a whole block; `...` matches any number of lines (leftmost, backtracking). */
export function matchBlock(
  expected: readonly string[],
  actual: readonly string[],
): Divergence | null {
  let best: Divergence = { expectedIndex: 0, actualIndex: 0 };
  const memo = new Set<number>();
  const go = (e: number, a: number): boolean => {
    const key = e * (actual.length + 1) + a;
    if (memo.has(key)) return false;
    memo.add(key);
    if (e > best.expectedIndex || (e === best.expectedIndex && a > best.actualIndex)) {
      best = { expectedIndex: e, actualIndex: a };
    }
    if (e === expected.length) return a === actual.length;
    if (expected[e] === "...") {
      for (let k = a; k <= actual.length; k++) if (go(e + 1, k)) return true;
      return false;
    }
    return a < actual.length && lineMatches(expected[e], actual[a]) && go(e + 1, a + 1);
  };
  return go(0, 0) ? null : best;
}
