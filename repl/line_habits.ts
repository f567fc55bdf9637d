/**
 * Habits of the interactive prompt that live before the session sees a
 * line: numbered `history` with `!!` and `!N` (bash's and crash's), a line
 * with an unclosed `(` or `{` going on at a `...> ` prompt (Python's), and
 * a view that printed nothing saying so. Batch runs and transcripts never
 * pass through here, so their text is the kernel's, byte for byte.
 * @module
 */

import { COMMANDS } from "./commands/index.ts";

/** The prompt of a continued line. */
export const CONTINUATION_PROMPT = "...> ";

/**
 * Whether `line` opens more `(` or `{` than it closes, outside "strings"
 * and after no `#` comment.
 */
export function unclosed(line: string): boolean {
  let depth = 0;
  let quote = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === '"') quote = false;
      continue;
    }
    if (ch === '"') quote = true;
    else if (ch === "#") break;
    else if (ch === "(" || ch === "{") depth++;
    else if (ch === ")" || ch === "}") depth--;
  }
  return depth > 0;
}

/** What the history layer makes of a typed line. */
export type Expanded = { line: string } | { print: string[] };

/** The lines typed in this session, numbered from 1, and their recall. */
export class LineHistory {
  private readonly lines: string[] = [];

  /**
   * `history` lists the lines; `!!` is the last one and `!N` line N (both
   * echoed by the caller, as bash does); any other line is kept and
   * returned as it is. `!5` as C's logical not is written `(!5)`.
   */
  expand(typed: string): Expanded {
    const t = typed.trim();
    if (t === "history") {
      if (this.lines.length === 0) return { print: ["history: no commands yet"] };
      const w = String(this.lines.length).length;
      return { print: this.lines.map((l, i) => `${String(i + 1).padStart(w + 2)}  ${l}`) };
    }
    let line = typed;
    const m = /^!(!|\d+)$/.exec(t);
    if (m !== null) {
      const n = m[1] === "!" ? this.lines.length : Number(m[1]);
      const found = n >= 1 ? this.lines[n - 1] : undefined;
      if (found === undefined) {
        return {
          print: [
            this.lines.length === 0
              ? `${t}: no commands yet`
              : `${t}: no such command; history numbers them 1 to ${this.lines.length}`,
          ],
        };
      }
      line = found;
    }
    if (line.trim() !== "") this.lines.push(line);
    return { line };
  }
}

/** Whether `line` runs a view (maps, smaps, dmesg, ...). */
export function isView(line: string): boolean {
  const word = /^\s*(?:@\S+\s+)?([A-Za-z_][\w-]*)/.exec(line)?.[1];
  return word !== undefined && (word === "vars" || COMMANDS.get(word)?.group === "view");
}

/** What a view that printed nothing says at the prompt. */
export function emptyViewLine(line: string): string {
  const word = /^\s*(?:@\S+\s+)?([A-Za-z_][\w-]*)/.exec(line)?.[1] ?? "view";
  return `(${word}: nothing to show)`;
}
