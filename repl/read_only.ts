/**
 * Which command lines only read: views, help, vars, check. `undo` counts
 * the other lines only, and replay skips nothing it needs by leaving these
 * out of the log (a view changes no state).
 * @module
 */

import { COMMANDS, wordShape } from "./commands/index.ts";
import { parseLine } from "./parser.ts";

const READERS = new Set(["help", "vars", "check", "lspci"]);

/** Whether `line` changes nothing: a view or the like, or a line that does not parse. */
export function readOnlyLine(line: string): boolean {
  try {
    const stmt = parseLine(line, wordShape);
    if (stmt.type !== "command") return false;
    return READERS.has(stmt.name) || COMMANDS.get(stmt.name)?.group === "view";
  } catch {
    return true; // refused before anything ran
  }
}
