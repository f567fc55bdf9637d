/**
 * One call command per entry of the syscall table: `mmap(...)`,
 * `mprotect(...)`, ... Arguments, summary and example come from the table;
 * the result prints as strace prints it.
 * @module
 */

import { isErr, SYSCALLS, type SyscallSpec } from "../../mod.ts";
import type { CallResult } from "../backend.ts";
import { KIND_TEXT } from "../constants.ts";
import { cString, formatReturn, formatVector } from "../format.ts";
import type { ArgDecl, Command } from "./types.ts";

/** A mapping for examples that name 0x7f0000000000. */
const MAP_SETUP =
  "mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)";
/** A file for examples that use fd 3. */
const FILE_SETUP = 'open("/tmp/f", O_RDWR|O_CREAT, 0644)';

/** The lines an example needs before it, so it shows a real result. */
function setupFor(spec: SyscallSpec): string[] {
  const out: string[] = [];
  const usesFd = spec.args.some((a) => a.kind === "fd");
  if (usesFd && spec.name !== "open") out.push(FILE_SETUP);
  if (spec.example.includes("0x7f0000000000") && spec.name !== "mmap") out.push(MAP_SETUP);
  return out;
}

function argDecl(a: SyscallSpec["args"][number]): ArgDecl {
  const accepts = a.kind === "path" ? "str" : a.kind === "buf" ? "num|str" : "num";
  return { name: a.name, accepts, optional: a.optional, kind: a.kind, text: KIND_TEXT[a.kind] };
}

/** What a call's result line shows beyond the value, for the calls that return data. */
const DATA_HELP: Record<string, string> = {
  mincore: "Without vec, the vector follows the result, one entry a page: = 0 [1, 0, 0, 1].",
  pread: 'The bytes read follow the result, as strace shows a buffer: = 5 "hello".',
};

/** Calls whose result line is not the usual one. */
const RESULT_HELP: Record<string, string> = {
  exit: "The call does not return: = ? as strace prints, then +++ exited with N +++;\n" +
    "the REPL then switches to the parent, or the lowest live pid, and says so.",
};

function longHelp(spec: SyscallSpec): string {
  if (RESULT_HELP[spec.name]) return RESULT_HELP[spec.name];
  const ret = spec.ret === "addr"
    ? "Prints the address it returns (= 0x7f...), or = -1 ERRNO (text) on failure."
    : "Prints the value it returns, or = -1 ERRNO (text) on failure.";
  return DATA_HELP[spec.name] ? `${ret}\n${DATA_HELP[spec.name]}` : ret;
}

/**
 * A call's result as strace prints it: `= 0x7f...`, `= -1 EINVAL (...)`,
 * and for the calls that hand data back, the data (`= 5 "hello"`).
 */
export function resultLine(spec: SyscallSpec, r: CallResult): string {
  let line = formatReturn(r.ret, spec.ret);
  if (r.data !== undefined && !isErr(r.ret)) {
    const hasBuf = spec.args.some((a) => a.kind === "buf");
    line += ` ${hasBuf ? cString(r.data) : formatVector(r.data)}`;
  }
  return r.note === undefined ? line : `${line} ${r.note}`;
}

/** The value `x = call(...)` assigns: the result, or -1 on failure as in C. */
export function resultValue(r: CallResult): bigint {
  return isErr(r.ret) ? -1n : BigInt(r.ret);
}

function toCommand(spec: SyscallSpec): Command {
  const args = spec.args.map(argDecl);
  return {
    name: spec.name,
    form: "call",
    group: "syscall",
    args,
    summary: spec.summary,
    help: longHelp(spec),
    example: [...setupFor(spec), spec.example],
    needsProcess: true,
    anyBackend: true,
    async run(ctx, values) {
      const r = await ctx.backend.syscall(ctx.pid, spec, values);
      if (r.pending !== undefined) {
        // strace's form for a call that blocks; the end prints as `<... NAME resumed>`.
        ctx.out.push("<unfinished ...>");
        ctx.unfinished(r.pending, spec);
        return undefined;
      }
      if (!ctx.alive()) {
        ctx.out.push("= ?");
        return undefined;
      }
      ctx.out.push(resultLine(spec, r));
      return resultValue(r);
    },
  };
}

/** The syscall commands, in table order. */
export const SYSCALL_COMMANDS: readonly Command[] = SYSCALLS.map(toCommand);
