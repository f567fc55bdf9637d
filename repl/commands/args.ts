/**
 * Reading a command's arguments, shared by every front end that runs
 * command lines (the REPL session and the host-kernel session): which
 * command a call names, whether its arguments fit the declaration, and the
 * common argument shapes (address ranges, byte counts, byte lists). One
 * copy, so that a command file means the same thing on both sides.
 * @module
 */

import { ReplError } from "../errors.ts";
import { evalNum, type Scope } from "../eval.ts";
import { type Expr, exprStart } from "../parser.ts";
import { didYouMean } from "../suggest.ts";
import type { Command, Value } from "./types.ts";
import type { StructValue } from "../../mod.ts";
import { synopsis } from "./types.ts";

/** User addresses are below 2^47. */
export const USER_END = 1n << 47n;

/** The command a call expression names, or a clear error. */
export function resolveCall(
  commands: ReadonlyMap<string, Command>,
  e: Extract<Expr, { type: "call" }>,
): Command {
  const cmd = commands.get(e.name);
  if (cmd === undefined) {
    throw new ReplError(
      `unknown call ${e.name}`,
      e.col,
      didYouMean(e.name, [...commands.keys()].filter((n) => commands.get(n)!.form === "call")) ??
        "help lists the calls",
      "name",
    );
  }
  if (cmd.form !== "call") {
    throw new ReplError(`${e.name} is not a call`, e.col, `write ${synopsis(cmd)}`, "usage");
  }
  return cmd;
}

/** Evaluates and checks a call's arguments against the declaration. */
export function callArgs(cmd: Command, e: Extract<Expr, { type: "call" }>, scope: Scope): Value[] {
  const decls = cmd.args;
  const required = decls.filter((d) => !d.optional).length;
  const variadic = decls.length > 0 && decls[decls.length - 1].variadic === true;
  const n = e.args.length;
  if (n < required || (!variadic && n > decls.length)) {
    const want = variadic
      ? `at least ${required}`
      : required === decls.length
      ? `${required}`
      : `${required} to ${decls.length}`;
    const col = n > decls.length ? exprStart(e.args[decls.length]) : e.col;
    throw new ReplError(
      `${e.name} takes ${want} argument${want === "1" ? "" : "s"}, not ${n}`,
      col,
      `usage: ${synopsis(cmd)}`,
      "usage",
    );
  }
  return e.args.map((arg, i) => {
    const d = decls[Math.min(i, decls.length - 1)];
    if (arg.type === "str") {
      if (d.accepts === "num") {
        throw new ReplError(
          `${d.name} must be a number, not a string`,
          arg.col,
          undefined,
          "usage",
        );
      }
      return { type: "str", bytes: arg.bytes, col: arg.col };
    }
    if (arg.type === "struct" && d.accepts === "num|struct") {
      return { type: "struct", value: evalStruct(arg, scope), col: arg.col };
    }
    if (arg.type === "intref" && d.accepts === "num|struct") {
      return { type: "intref", v: evalNum(arg.value, scope), col: arg.col };
    }
    if (d.accepts === "str") {
      throw new ReplError(
        `${d.name} must be a "string"`,
        exprStart(arg),
        `e.g. ${cmd.example.at(-1)}`,
        "usage",
      );
    }
    return { type: "num", v: evalNum(arg, scope), col: exprStart(arg) };
  });
}

/** A struct literal's fields, evaluated: numbers, `|`-joined constants, nested structs. */
export function evalStruct(e: Extract<Expr, { type: "struct" }>, scope: Scope): StructValue {
  const v: StructValue = new Map();
  for (const f of e.fields) {
    v.set(f.name, f.value.type === "struct" ? evalStruct(f.value, scope) : evalNum(f.value, scope));
  }
  return v;
}

/** ADDR [LEN] of a view: a user address range [start, end). */
export function userRange(addr: Value, len: Value | undefined): [number, number] {
  const a = addr.type === "num" ? addr.v : 0n;
  const n = len?.type === "num" ? len.v : 4096n;
  if (a < 0n || a >= USER_END) {
    throw new ReplError(
      "ADDR must be a user address (below 0x800000000000)",
      addr.col,
      undefined,
      "usage",
    );
  }
  if (n <= 0n || a + n > USER_END) {
    throw new ReplError(
      "LEN must be > 0 and end below 0x800000000000",
      len?.col,
      undefined,
      "usage",
    );
  }
  return [Number(a), Number(a + n)];
}

/** A byte count argument: 0 <= n <= max. */
export function byteCount(v: Value, what: string, max: number): number {
  const n = v.type === "num" ? v.v : 0n;
  if (n < 0n || n > BigInt(max)) {
    throw new ReplError(`${what} must be 0..${max}, not ${n}`, v.col, undefined, "usage");
  }
  return Number(n);
}

/** Bytes from byte values (-128..255) and strings. */
export function bytesOf(values: Value[]): Uint8Array {
  const out: number[] = [];
  for (const v of values) {
    if (v.type === "str") { for (const b of v.bytes) out.push(b); }
    else if (v.type === "num") {
      if (v.v < -128n || v.v > 255n) {
        throw new ReplError(`${v.v} does not fit in a byte`, v.col, "bytes are 0..255", "usage");
      }
      out.push(Number(v.v) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
