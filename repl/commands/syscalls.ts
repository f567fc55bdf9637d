/**
 * One call command per entry of the syscall table: `mmap(...)`,
 * `mprotect(...)`, ... Arguments, summary and example come from the table;
 * the result prints as strace prints it.
 * @module
 */

import { isErr, syscall, SYSCALLS, type SyscallSpec } from "../../mod.ts";
import { KIND_TEXT } from "../constants.ts";
import { cString, formatReturn, formatVector } from "../format.ts";
import type { ArgDecl, Command, Value } from "./types.ts";

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

/** The raw value a syscall implementation takes for one argument. */
function raw(v: Value, decl: ArgDecl): unknown {
  if (v.type === "num") return v.v;
  if (v.type === "str") {
    // Paths are strings (bytes as Latin-1 code units); buffers are bytes.
    return decl.kind === "path" ? String.fromCharCode(...v.bytes) : v.bytes;
  }
  return v.text;
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

function toCommand(spec: SyscallSpec): Command {
  const args = spec.args.map(argDecl);
  const hasBuf = spec.args.some((a) => a.kind === "buf");
  return {
    name: spec.name,
    form: "call",
    group: "syscall",
    args,
    summary: spec.summary,
    help: longHelp(spec),
    example: [...setupFor(spec), spec.example],
    needsProcess: true,
    run(ctx, values) {
      const r = syscall(ctx.proc, spec.name, values.map((v, i) => raw(v, args[i])));
      if (!ctx.proc.alive) {
        ctx.out.push("= ?");
        return undefined;
      }
      let line = formatReturn(r.ret, spec.ret);
      if (r.data !== undefined && !isErr(r.ret)) {
        line += ` ${hasBuf ? cString(r.data) : formatVector(r.data)}`;
      }
      ctx.out.push(line);
      return isErr(r.ret) ? -1n : BigInt(r.ret);
    },
  };
}

/** The syscall commands, in table order. */
export const SYSCALL_COMMANDS: readonly Command[] = SYSCALLS.map(toCommand);
