/**
 * The one error type of the REPL: a user mistake (bad syntax, unknown name,
 * wrong arguments, a dead process) with the column it points at and a hint.
 * Anything else thrown while a command runs is an internal error.
 * @module
 */

/** What went wrong, for callers that count or colour errors. */
export type ReplErrorKind = "syntax" | "name" | "usage" | "process" | "internal";

/** A user-facing error; `col` is 1-based in the command line. */
export class ReplError extends Error {
  constructor(
    message: string,
    readonly col?: number,
    readonly hint?: string,
    readonly kind: ReplErrorKind = "syntax",
  ) {
    super(message);
    this.name = "ReplError";
  }
}

/** Where a line came from, for `file:line:col` error positions. */
export interface Where {
  file?: string;
  line?: number;
}

/**
 * The one-line form of an error: `file:line:col: error: what; hint` when the
 * source is known, else `error at column N: what; hint`.
 */
export function formatError(e: ReplError, where?: Where): string {
  if (e.kind === "internal") return `internal error: ${clipWords(e.message)}`;
  const text = e.hint ? `${clipWords(e.message)}; ${clipWords(e.hint)}` : clipWords(e.message);
  if (where?.file !== undefined && where.line !== undefined) {
    return `${where.file}:${where.line}:${e.col ?? 1}: error: ${text}`;
  }
  return e.col !== undefined ? `error at column ${e.col}: ${text}` : `error: ${text}`;
}

/** Words longer than this are shown clipped in an error line. */
export const MAX_WORD_SHOWN = 80;

/**
 * The text with every word (a run of non-blanks) longer than
 * {@link MAX_WORD_SHOWN} cut to its first 40 characters and its length:
 * an error about a 1 MB name stays one readable line.
 */
export function clipWords(text: string): string {
  if (text.length <= MAX_WORD_SHOWN) return text;
  // A scan, not a regex: /\S{81,}/ on a 10 MB word overflows the regex engine's stack.
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && !isBlank(text.charCodeAt(j))) j++;
    const n = j - i;
    out.push(
      n > MAX_WORD_SHOWN ? `${text.slice(i, i + 40)}... (${n} characters)` : text.slice(i, j),
    );
    i = j;
    while (j < text.length && isBlank(text.charCodeAt(j))) j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out.join("");
}

/** The blanks that end a word: space, tab, newline and the other ASCII blanks. */
function isBlank(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
