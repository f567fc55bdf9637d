/**
 * "Did you mean" hints: the closest known name to a mistyped one, by
 * case-insensitive match first, then edit distance (with transpositions).
 *
 * Only plausible names get a hint: at most {@link SUGGEST_MAX_LENGTH}
 * characters, and a candidate is measured only when its length is within
 * the allowed distance (a third of the name's length, at least 1); the
 * distance itself stops as soon as every cell of a row passes that bound.
 * A hint for a name of any length costs time linear in the candidates.
 * @module
 */

/** Names longer than this get no hint (no command or constant is near that long). */
export const SUGGEST_MAX_LENGTH = 64;

/**
 * Optimal-string-alignment distance between two strings, or `bound + 1`
 * as soon as it is known to exceed `bound`.
 */
export function editDistance(a: string, b: string, bound = Infinity): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  // Three rows: i-2, i-1 and i.
  let prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, prev2[j - 2] + 1);
      }
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > bound) return bound + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length];
}

/** The best candidate for `name`, or undefined when none is close. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  if (name.length === 0 || name.length > SUGGEST_MAX_LENGTH) return undefined;
  const lower = name.toLowerCase();
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) > limit) continue;
    const cl = c.toLowerCase();
    if (cl === lower) return c;
    const score = editDistance(lower, cl, Math.min(limit, bestScore));
    if (score < bestScore || (score === bestScore && best !== undefined && c < best)) {
      best = c;
      bestScore = score;
    }
  }
  return bestScore <= limit ? best : undefined;
}

/** `did you mean X?`, or undefined. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const c = closest(name, candidates);
  return c === undefined ? undefined : `did you mean ${c}?`;
}
