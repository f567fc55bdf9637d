/**
 * Evaluation of expressions to 64-bit values: C operators on bigints
 * (exact while evaluating, wrapped to 64 bits at the end; comparisons read
 * both sides as signed 64-bit values, C's long, and give 0 or 1), names resolved
 * as variables, then constants; calls are only allowed as a whole
 * statement, so they never appear here.
 * @module
 */

import { PLANNED_KNOBS } from "../mod.ts";
import { CONSTANTS } from "./constants.ts";
import { ReplError } from "./errors.ts";
import type { Expr } from "./parser.ts";
import { didYouMean } from "./suggest.ts";

/** What names mean while evaluating. */
export interface Scope {
  vars: ReadonlyMap<string, bigint>;
  /** The machine's policy values, for names that exist only under one. */
  policies: Readonly<Record<string, string>>;
  /** Names of commands (not values: they print a hint). */
  commands: ReadonlyMap<string, { form: "call" | "word" }>;
}

/** Whether policy `knob` has `value` (own keys only). */
function hasPolicy(policies: Readonly<Record<string, string>>, knob: string, value: string) {
  return Object.hasOwn(policies, knob) && policies[knob] === value;
}

/** The value of a name, or a ReplError pointing at it. */
export function resolveName(name: string, col: number, scope: Scope): bigint {
  const v = scope.vars.get(name);
  if (v !== undefined) return v;
  const c = CONSTANTS.get(name);
  if (c !== undefined) {
    if (c.policy && !hasPolicy(scope.policies, c.policy.knob, c.policy.value)) {
      const planned = Object.hasOwn(PLANNED_KNOBS, c.policy.knob)
        ? (PLANNED_KNOBS as Record<string, { issue: number }>)[c.policy.knob]
        : undefined;
      throw new ReplError(
        `${name} is not in Linux's headers`,
        col,
        planned === undefined
          ? `it exists under policy ${c.policy.knob} ${c.policy.value}`
          : `it comes with policy ${c.policy.knob} ${c.policy.value}, planned for issue ${planned.issue}`,
        "name",
      );
    }
    return c.value;
  }
  const cmd = scope.commands.get(name);
  if (cmd !== undefined) {
    throw new ReplError(
      `${name} is a command, not a value`,
      col,
      name === "exit"
        ? "exit(0) ends the process; quit leaves the REPL"
        : cmd.form === "call"
        ? `call it: ${name}(...)`
        : `write ${name} on a line of its own`,
      "name",
    );
  }
  const hint = didYouMean(name, [
    ...scope.vars.keys(),
    ...CONSTANTS.keys(),
    ...scope.commands.keys(),
  ]);
  throw new ReplError(`unknown name ${name}`, col, hint, "name");
}

/** Evaluates a numeric expression; the result is wrapped to a signed 64-bit value. */
export function evalNum(e: Expr, scope: Scope): bigint {
  return BigInt.asIntN(64, evalExact(e, scope));
}

function evalExact(e: Expr, scope: Scope): bigint {
  switch (e.type) {
    case "num":
      return e.value;
    case "str":
      throw new ReplError(
        "a string is not a number",
        e.col,
        "strings go only where a path or buffer is expected",
      );
    case "name":
      return resolveName(e.name, e.col, scope);
    case "call":
      throw new ReplError(
        `${e.name}(...) must be a whole command`,
        e.col,
        `assign it first: x = ${e.name}(...)`,
      );
    case "intref":
      throw new ReplError(
        "[int] is not a number",
        e.col,
        "[value] goes only where an ioctl takes a pointer to an int",
      );
    case "struct":
      throw new ReplError(
        "a {struct} is not a number",
        e.col,
        "struct literals go only where a struct argument is expected (ioctl)",
      );
    case "unary": {
      // A run of unary operators in a loop: innermost operand first.
      const ops: string[] = [];
      let arg: Expr = e;
      while (arg.type === "unary") {
        ops.push(arg.op);
        arg = arg.arg;
      }
      let v = evalExact(arg, scope);
      for (let i = ops.length - 1; i >= 0; i--) {
        v = ops[i] === "-" ? -v : ops[i] === "~" ? ~v : v;
      }
      return v;
    }
    case "binary": {
      // A left-leaning chain (a + b + c ...) in a loop, leftmost operand first.
      const chain: Extract<Expr, { type: "binary" }>[] = [];
      let left: Expr = e;
      while (left.type === "binary") {
        chain.push(left);
        left = left.left;
      }
      let v = evalExact(left, scope);
      for (let i = chain.length - 1; i >= 0; i--) {
        const b = chain[i];
        v = bounded(binary(b.op, v, evalExact(b.right, scope), b.col));
      }
      return v;
    }
  }
}

/** Past this magnitude an intermediate value is wrapped to 64 bits. */
const EXACT_LIMIT = 1n << 128n;

/**
 * Keeps a chain's cost linear: an intermediate of 2^128 or more (a product
 * of 100,000 large constants) is wrapped to 64 bits. The final value is the
 * same (+ - * << and the bitwise operators commute with wrapping); only a
 * later / % >> or comparison sees the wrapped value, as it would in C.
 */
function bounded(v: bigint): bigint {
  return v >= EXACT_LIMIT || v <= -EXACT_LIMIT ? BigInt.asIntN(64, v) : v;
}

/** Both sides of a comparison as C's signed 64-bit long. */
function compare(a: bigint, b: bigint): number {
  const x = BigInt.asIntN(64, a), y = BigInt.asIntN(64, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function binary(op: string, a: bigint, b: bigint, col: number): bigint {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
    case "%":
      if (b === 0n) throw new ReplError("division by zero", col);
      return op === "/" ? a / b : a % b;
    case "<<":
    case ">>":
      if (b < 0n || b > 63n) throw new ReplError(`shift count ${b} is not 0..63`, col);
      return op === "<<" ? a << b : a >> b;
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
    case "==":
      return compare(a, b) === 0 ? 1n : 0n;
    case "!=":
      return compare(a, b) !== 0 ? 1n : 0n;
    case "<":
      return compare(a, b) < 0 ? 1n : 0n;
    case "<=":
      return compare(a, b) <= 0 ? 1n : 0n;
    case ">":
      return compare(a, b) > 0 ? 1n : 0n;
    case ">=":
      return compare(a, b) >= 0 ? 1n : 0n;
  }
  throw new ReplError(`unknown operator ${op}`, col);
}
