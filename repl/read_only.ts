/**
 * Which command lines change nothing in the machine or the session: views,
 * help, vars, check, and record and quit (requests to the front end).
 * `undo` counts the other lines only, and replay skips nothing it needs by
 * leaving these out of the log.
 * @module
 */

import { COMMANDS, wordShape } from "./commands/index.ts";
import { parseLine, type Stmt } from "./parser.ts";
import { splitFilters } from "./view_filter.ts";

const READERS = new Set(["help", "vars", "check", "lspci", "record", "quit"]);

/** Whether `line` changes nothing: a view or the like, or a line that does not parse. */
export function readOnlyLine(line: string): boolean {
  try {
    // `CMD | grep ...`: what CMD does (the filters only shape its output).
    return readOnlyStmt(parseLine(splitFilters(line)?.command ?? line, wordShape));
  } catch {
    return true; // refused before anything ran
  }
}

/** {@link readOnlyLine} for a line already parsed. */
export function readOnlyStmt(stmt: Stmt): boolean {
  if (stmt.type !== "command") return false;
  return READERS.has(stmt.name) || COMMANDS.get(stmt.name)?.group === "view";
}
