/**
 * Filters after a command, as crash and drgn allow: `smaps | grep Rss`,
 * `maps | grep -v prog | head 3`, `dmesg | tail 5`. A `|` followed by
 * grep, head or tail (outside "strings") starts a filter; any other `|`
 * is C's bitwise or. The filters apply to the command's output lines; an
 * error line is never filtered away.
 *
 * - `grep [-v] [-i] PATTERN`: the lines matching the regular expression
 *   (JavaScript syntax; -v the lines not matching, -i ignoring case).
 * - `head [N]`, `tail [N]`: the first or last N lines (10 by default).
 * @module
 */

import { ReplError } from "./errors.ts";
import { LineRegex } from "./transcript/regex.ts";

/** One filter, ready to apply. */
export type LineFilter = (lines: string[]) => string[];

/** A line split into its command and its filters. */
export interface FilteredLine {
  /** The command part, without the filters. */
  command: string;
  /** The filters, in order. */
  filters: LineFilter[];
}

const FILTER_START = /\|\s*(grep|head|tail)(?=\s|$)/y;

/** Where the first filter starts in `line`, or -1 (a `|` in a string is not one). */
function filterStart(line: string): number {
  let quote = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === '"') quote = false;
      continue;
    }
    if (ch === '"') quote = true;
    else if (ch === "|") {
      FILTER_START.lastIndex = i;
      if (FILTER_START.test(line)) return i;
    }
  }
  return -1;
}

/** How many lines `head N` or `tail N` keeps. */
function count(name: string, args: string[], col: number): number {
  if (args.length === 0) return 10;
  if (args.length > 1 || !/^\d+$/.test(args[0])) {
    throw new ReplError(`${name} takes one count of lines`, col, `e.g. | ${name} 5`, "usage");
  }
  return Number(args[0]);
}

function parseFilter(text: string, col: number): LineFilter {
  const words = text.trim().split(/\s+/);
  const name = words[0];
  const args = words.slice(1);
  if (name === "head") {
    const n = count(name, args, col);
    return (lines) => lines.slice(0, n);
  }
  if (name === "tail") {
    const n = count(name, args, col);
    return (lines) => (n === 0 ? [] : lines.slice(-n));
  }
  let invert = false;
  let flags = "";
  while (args.length > 0 && /^-[vi]+$/.test(args[0])) {
    const opt = args.shift()!;
    if (opt.includes("v")) invert = true;
    if (opt.includes("i")) flags = "i";
  }
  if (args.length === 0) {
    throw new ReplError("grep needs a pattern", col, "e.g. smaps | grep Rss", "usage");
  }
  // The pattern is the rest of the filter, spaces included (grep "a b" without quotes).
  const source = args.join(" ").replace(/^"(.*)"$/, "$1");
  // Matched in linear time (repl/transcript/regex.ts): `grep (.*)*x` over smaps
  // would backtrack for minutes in JavaScript's RegExp.
  let re: LineRegex;
  try {
    re = new LineRegex(source, { search: true, ignoreCase: flags === "i" });
  } catch (e) {
    throw new ReplError(
      `grep: bad pattern ${source}: ${e instanceof Error ? e.message : e}`,
      col,
      "patterns are JavaScript regular expressions without backreferences or lookaround; " +
        "escape ( [ . * with \\",
      "usage",
    );
  }
  return (lines) => lines.filter((l) => re.test(l) !== invert);
}

/** Splits off the filters of `line`, or null when it has none. Throws on a malformed filter. */
export function splitFilters(line: string): FilteredLine | null {
  const start = filterStart(line);
  if (start < 0) return null;
  const filters: LineFilter[] = [];
  let rest = line.slice(start);
  let col = start + 1;
  while (rest.length > 0) {
    // rest starts with `|`: the filter runs to the next filter's `|`.
    const next = filterStart(rest.slice(1));
    const text = next < 0 ? rest.slice(1) : rest.slice(1, next + 1);
    filters.push(parseFilter(text, col + 1 + text.length - text.trimStart().length));
    if (next < 0) break;
    col += next + 1;
    rest = rest.slice(next + 1);
  }
  return { command: line.slice(0, start), filters };
}

/** Applies the filters to a command's output; an error line (the last, when `error`) stays. */
export function applyFilters(
  filters: readonly LineFilter[],
  output: string[],
  error: boolean,
): string[] {
  const body = error ? output.slice(0, -1) : output;
  const kept = filters.reduce((lines, f) => f(lines), body);
  return error ? [...kept, output[output.length - 1]] : kept;
}
