/**
 * The declaration every command is made of: name, argument schema, summary,
 * long help with a real example, completer and the function that runs it.
 * Help, completion and validation are all derived from it.
 * @module
 */

import type { ArgKind, Machine, Process, StructValue, SyscallSpec } from "../../mod.ts";
import type { FrontEndRequest, Session } from "../session.ts";
import type { SnapshotLog } from "../snapshot.ts";
import type { CommandRecord } from "../json_result.ts";
import type { Backend, CallResult } from "../backend.ts";
import type { Interrupt } from "../interrupt.ts";

/** An evaluated argument. */
export type Value =
  | { type: "num"; v: bigint; col: number }
  | { type: "str"; bytes: Uint8Array; col: number }
  | { type: "word"; text: string; col: number }
  | { type: "struct"; value: StructValue; col: number }
  | { type: "intref"; v: bigint; col: number };

/** One argument of a command. */
export interface ArgDecl {
  name: string;
  /**
   * `num`: an expression; `str`: a "string"; `num|str`: either;
   * `num|struct`: an expression or a `{struct}` literal;
   * `word`: a raw word (word commands only).
   */
  accepts: "num" | "str" | "num|str" | "num|struct" | "word";
  /** May be left out (trailing arguments only). */
  optional?: boolean;
  /** Takes any number of further values (the last argument only). */
  variadic?: boolean;
  /** The syscall argument kind, for completion of constants and help. */
  kind?: ArgKind;
  /** One phrase for help. */
  text: string;
  /** Candidates for a word argument, given the words before it. */
  complete?: (ctx: { machine: Machine }, before: string[]) => string[];
}

/** A flag of a word command: `--json`. */
export interface FlagDecl {
  /** With its dashes: `--json`. */
  name: string;
  /** One phrase for help. */
  text: string;
  /** Left out of the synopsis line (still under Options:): a second form of the command. */
  hidden?: boolean;
}

/** What a command can reach while it runs. */
export interface CommandContext {
  /** Where the command runs. */
  backend: Backend;
  /** The pid the command runs in. */
  pid: number;
  /** Whether that process is still alive. */
  alive: () => boolean;
  /** The emulated machine (not for commands with `anyBackend`: the host has none). */
  machine: Machine;
  /** The emulated process the command runs in (needsProcess, not anyBackend). */
  proc: Process;
  /** Lines to print. */
  out: string[];
  /** The session's variables (read-only view). */
  vars: ReadonlyMap<string, bigint>;
  /** Runs an example in a scratch session and returns its transcript. */
  transcript: (lines: readonly string[]) => Promise<string[]>;
  /** Prints the signals and deaths so far (before a note that should follow them). */
  flushEvents: () => void;
  /** Ends the session after this command. */
  quit: () => void;
  /** Asks the front end for something only it can do (recording to a file). */
  request: (r: FrontEndRequest) => void;
  /**
   * A call (or a CPU access) blocked: the backend will report its end as a
   * `resume` event with `token`, printed as `<... NAME resumed> LINE`.
   */
  unfinished: (token: number, spec: SyscallSpec | ResumeFormat) => void;
  /** Every command by name (for help). */
  commands: ReadonlyMap<string, Command>;
  /**
   * The fds the session saw become userfaultfds (userfaultfd(),
   * USERFAULTFD_IOC_NEW, a FORK message's ufd) and not closed since: a
   * read() of one prints its `struct uffd_msg`s decoded.
   */
  uffds?: Set<number>;
  /** A syscall finished with this result (sets `errno` when it failed). */
  callDone?: (r: CallResult) => void;
  /** Set in an interactive session: long commands run in steps and stop on Ctrl-C. */
  interrupt?: Interrupt;
  /** `reset`: a fresh machine; returns what to print. */
  reset?: () => string;
  /** The session's command log and snapshots (snapshot, restore, undo, diff). */
  snapshots?: SnapshotLog<Session>;
  /** Reports the command's result as data (JSON output: repl/json_result.ts). */
  record?: (data: CommandRecord) => void;
}

/** Where the command appears in `help`. */
export type CommandGroup = "syscall" | "library" | "memory" | "view" | "device" | "session";

/** A command: declared once. */
export interface Command {
  name: string;
  /** `call`: name(args), a value that may be assigned; `word`: name args on its own. */
  form: "call" | "word";
  group: CommandGroup;
  args: readonly ArgDecl[];
  summary: string;
  /** Long help (may be several lines). */
  help: string;
  /** Command lines that run it from a fresh machine; the last one shows the command. */
  example: readonly string[];
  /** Flags a word command takes besides its arguments (`--json`), passed last as word values. */
  flags?: readonly FlagDecl[];
  /** Whether it needs a live process. */
  needsProcess: boolean;
  /**
   * Runs on every backend, through `ctx.backend` only (syscalls, CPU
   * accesses, variables); other commands read the emulated machine.
   */
  anyBackend?: boolean;
  /** Runs it; returns the value for `x = name(...)`, if any. */
  run: (
    ctx: CommandContext,
    args: Value[],
  ) => bigint | undefined | Promise<bigint | undefined>;
}

/** `mprotect(addr, length, prot)` or `pages ADDR [LEN]`. */
export function synopsis(c: Command): string {
  const name = (a: ArgDecl) => (a.variadic ? `${a.name}...` : a.name);
  if (c.form === "call") {
    let s = "";
    c.args.forEach((a, i) => {
      const sep = i === 0 ? "" : ", ";
      s += a.optional ? `[${sep}${name(a)}]` : `${sep}${name(a)}`;
    });
    return `${c.name}(${s})`;
  }
  return [
    c.name,
    ...c.args.map((a) => (a.optional ? `[${name(a)}]` : name(a))),
    ...(c.flags ?? []).filter((f) => !f.hidden).map((f) => `[${f.name}]`),
  ].join(" ");
}

/** How an unfinished command that is not a syscall (a CPU access) prints its end. */
export interface ResumeFormat {
  /** `peek`, `poke`, `memset`: `<... NAME resumed>`. */
  readonly name: string;
  /** The result after `<... NAME resumed> ` (`= 1`). */
  line(r: CallResult): string;
  /** The value `x = ...` takes. */
  value(r: CallResult): bigint;
}
