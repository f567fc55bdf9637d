/**
 * What a session remembers for its user's habits: `_` (the last value a
 * line produced, as in Python's and Node's REPLs), `errno` (the error
 * number of the last syscall that failed; like C's errno it keeps its value
 * across calls that succeed), and the command log since the machine was
 * built (what `record FILE` started mid-session writes first).
 * @module
 */

import type { CallResult } from "./backend.ts";
import type { RunResult } from "./session.ts";

/** One line the session ran: its prompt tag, the line, what it printed. */
export interface LoggedLine {
  prompt: string;
  line: string;
  result: RunResult;
}

/** The most text (commands and output) the log keeps for a mid-session `record`. */
export const LOG_MAX_CHARS = 64 << 20;

/** The names `_` and `errno` read when no variable of that name exists. */
export const HABIT_NAMES: readonly string[] = ["_", "errno"];

/** `_`, `errno` and the command log of one session. */
export class SessionHabits {
  /** The last value a line produced (`= ...`), if any. */
  last: bigint | undefined;
  /** The errno of the last failed syscall, if any. */
  errno: bigint | undefined;
  /** The policies the machine started with (the header of a mid-session recording). */
  startPolicies: Readonly<Record<string, string>> = {};
  /**
   * The first line Ctrl-C stopped part-way on this machine: from then on
   * the log no longer rebuilds the machine.
   */
  interrupted: string | undefined;
  /** The log outgrew {@link LOG_MAX_CHARS} and was dropped: it cannot be carried. */
  overflowed = false;
  private readonly lines: LoggedLine[] = [];
  private chars = 0;

  /** `maxChars`: how much text the log keeps before it gives up. */
  constructor(private readonly maxChars: number = LOG_MAX_CHARS) {}
  private skipNext = false;

  /** A machine was (re)built: the log starts afresh, `_` and `errno` are unset. */
  started(policies: Readonly<Record<string, string>>, byReset = false): void {
    this.lines.length = 0;
    this.chars = 0;
    this.interrupted = undefined;
    this.overflowed = false;
    this.last = undefined;
    this.errno = undefined;
    this.startPolicies = { ...policies };
    // The `reset` line itself is not part of the new machine's history.
    this.skipNext = byReset;
  }

  /** A syscall finished. */
  callDone(r: CallResult): void {
    if (r.ret < 0) this.errno = BigInt(-r.ret);
  }

  /** A line finished (requests to the front end, like `record`, are not logged). */
  ran(prompt: string, line: string, result: RunResult): void {
    if (this.skipNext) {
      this.skipNext = false;
      return;
    }
    if (result.request !== undefined || line.trim() === "") return;
    if (result.interrupted) this.interrupted ??= line;
    if (this.overflowed) return;
    this.chars += line.length + result.output.reduce((n, l) => n + l.length + 1, 0);
    if (this.chars > this.maxChars) {
      // A session this long is not kept in memory to be carried into a recording.
      this.overflowed = true;
      this.lines.length = 0;
      return;
    }
    this.lines.push({ prompt, line, result });
  }

  /** The lines run on this machine, oldest first. */
  get log(): readonly LoggedLine[] {
    return this.lines;
  }

  /** The session's variables, with `_` and `errno` behind them (a variable wins). */
  scopeVars(vars: ReadonlyMap<string, bigint>): ReadonlyMap<string, bigint> {
    if (this.last === undefined && this.errno === undefined) return vars;
    const all = new Map<string, bigint>();
    if (this.last !== undefined) all.set("_", this.last);
    if (this.errno !== undefined) all.set("errno", this.errno);
    for (const [k, v] of vars) all.set(k, v);
    return all;
  }
}
