/**
 * The parser: one command line to a statement. A line is
 *
 * ```
 * line    := [ "@" target ] [ stmt ]          (a bare "@2" switches process)
 * stmt    := ident "=" expr                   (assignment)
 *          | command arg*                     (a word command: maps, pages a 4K, policy x y)
 *          | expr                             (a call such as mmap(...), or arithmetic)
 * expr    := C's operators | ^ & == != < <= > >= << >> + - * / %, unary - + ~, ( ),
 *            calls name(expr, ...); comparisons give 0 or 1
 *          | "{" [ field ("," field)* ] "}"   (a struct literal, as strace prints one)
 * field   := ident "=" expr                   (nested: range={start=a, len=16K})
 *          | "[" expr "]"                     (an int passed by pointer, as strace prints [5])
 * ```
 *
 * Every node keeps the column it starts at, so errors can point at it.
 *
 * Sizes: a flat chain of any length (a sum of 100,000 terms, a run of
 * unary minuses) is parsed and evaluated by loops; brackets, calls and
 * struct literals may nest {@link MAX_NESTING} deep, and deeper nesting is
 * refused with one line at the bracket that passed the limit.
 * @module
 */

import { Lexer, type Token } from "./lexer.ts";
import { ReplError } from "./errors.ts";

/** An expression node. */
export type Expr =
  | { type: "num"; value: bigint; col: number; text: string }
  | { type: "str"; bytes: Uint8Array; col: number; text: string }
  | { type: "name"; name: string; col: number }
  | { type: "unary"; op: string; arg: Expr; col: number }
  | { type: "binary"; op: string; left: Expr; right: Expr; col: number }
  | { type: "call"; name: string; args: Expr[]; col: number }
  | { type: "struct"; fields: StructField[]; col: number }
  | { type: "intref"; value: Expr; col: number };

/** One `name=value` of a struct literal. */
export interface StructField {
  name: string;
  col: number;
  value: Expr;
}

/** The column an expression starts at (a binary node's own column is its operator's). */
export function exprStart(e: Expr): number {
  while (e.type === "binary") e = e.left;
  return e.col;
}

/** How deep (), [], {} and calls may nest in one line. */
export const MAX_NESTING = 256;

/** `@2`, `@child` or `@1.3`: the process or thread a command runs in. */
export interface Target {
  /** A pid (or tid) literal or a variable name. */
  value: bigint | string;
  col: number;
  /** `@PID.TID`: the thread TID, which must belong to process PID. */
  tid?: { value: bigint; col: number };
}

/** A word argument or an expression argument of a word command. */
export type CommandArg =
  | { type: "word"; text: string; col: number }
  | { type: "expr"; expr: Expr; col: number };

/** A parsed line. */
export type Stmt =
  | { type: "empty" }
  | { type: "switch"; target: Target }
  | { type: "eval"; target?: Target; assign?: { name: string; col: number }; expr: Expr }
  | { type: "command"; target?: Target; name: string; col: number; args: CommandArg[] };

/**
 * How a word command's arguments are read: an expression, a raw word, or
 * a flag (`--json`: a word of its own anywhere after the command name,
 * handed on after the other arguments as a word argument).
 */
export interface ArgShape {
  name: string;
  kind: "expr" | "word" | "flag";
  optional?: boolean;
  /** A last word argument that takes every word left on the line. */
  variadic?: boolean;
}

/** The word commands the parser knows, by name. */
export type CommandShapes = (name: string) => readonly ArgShape[] | undefined;

/** Binary operators by precedence, loosest first (as in C). */
const LEVELS: readonly (readonly string[])[] = [
  ["|"],
  ["^"],
  ["&"],
  ["==", "!="],
  ["<", "<=", ">", ">="],
  ["<<", ">>"],
  ["+", "-"],
  ["*", "/", "%"],
];

/** Parses one line. Throws {@link ReplError} with a column on bad input. */
export function parseLine(src: string, commands: CommandShapes): Stmt {
  return new Parser(src, commands).line();
}

/** Parses a bare expression (used for CLI values and tests). */
export function parseExpr(src: string): Expr {
  const p = new Parser(src, () => undefined);
  const e = p.expr();
  p.end();
  return e;
}

class Parser {
  private lx: Lexer;
  /** Brackets and calls open around the current point. */
  private depth = 0;

  constructor(src: string, private readonly commands: CommandShapes) {
    this.lx = new Lexer(src);
  }

  line(): Stmt {
    if (this.lx.atEnd()) return { type: "empty" };
    let target: Target | undefined;
    if (this.isOp("@")) {
      const at = this.lx.next();
      const t = this.lx.next();
      if (t.type === "num") target = { value: t.value!, col: t.col };
      else if (t.type === "ident") target = { value: t.text, col: t.col };
      else throw new ReplError("expected a pid or a variable after @", t.col, "e.g. @2 maps");
      if (t.col !== at.col + 1) {
        throw new ReplError("no space allowed after @", at.col + 1, `write @${t.text}`);
      }
      const after = this.lx.src[t.col - 1 + t.text.length];
      if (after === "." && t.type === "num") {
        // @PID.TID, as the prompt shows a thread: the rest up to a blank.
        const w = this.lx.word()!;
        const m = /^\.(\d+)$/.exec(w.text);
        if (m === null) {
          throw new ReplError(
            `bad thread ${JSON.stringify(w.text.slice(1))}`,
            w.col + 1,
            `write @${t.text}.TID with a thread id, e.g. @1.2`,
            "usage",
          );
        }
        target.tid = { value: BigInt(m[1]), col: w.col + 1 };
      }
      if (this.lx.atEnd()) return { type: "switch", target };
    }
    const first = this.lx.peek();
    if (first.type === "ident") {
      // A hyphenated word command (`device-bind`): read as one word, not `device - bind`.
      const hy = /^[A-Za-z_]\w*(?:-[A-Za-z_]\w*)+(?=\s|#|$)/.exec(this.lx.src.slice(first.col - 1));
      const hyShape = hy === null ? undefined : this.commands(hy[0]);
      if (hy !== null && hyShape !== undefined) {
        this.lx.word();
        const name: Token = { type: "ident", text: hy[0], col: first.col };
        const args = this.commandArgs(name, hyShape);
        return { type: "command", target, name: hy[0], col: first.col, args };
      }
      const shape = this.commands(first.text);
      const after = this.peek2();
      if (after.type === "op" && after.text === "=") {
        this.lx.next();
        this.lx.next();
        const expr = this.expr();
        this.end();
        return { type: "eval", target, assign: { name: first.text, col: first.col }, expr };
      }
      if (shape !== undefined) {
        this.lx.next();
        const args = this.commandArgs(first, shape);
        return { type: "command", target, name: first.text, col: first.col, args };
      }
    }
    const expr = this.expr();
    this.end();
    return { type: "eval", target, expr };
  }

  /** The token after the next one. */
  private peek2(): Token {
    // Re-lex from the next token's column (blanks keep the columns): cheap, lines are short.
    const col = this.lx.peek().col;
    const saved = new Lexer(" ".repeat(col - 1) + this.lx.src.slice(col - 1));
    saved.next();
    try {
      return saved.peek();
    } catch {
      // Not a token (a word command's raw word, `sleep 500ms`): not an `=`.
      return { type: "op", text: "", col: 0 };
    }
  }

  /**
   * Takes the declared flags out of the rest of the line (they would read
   * as expressions: `4K --json` is 4K - -json), blanking them so that
   * columns stay put. Returns them as word arguments, in line order.
   */
  private takeFlags(flags: readonly ArgShape[]): CommandArg[] {
    if (flags.length === 0) return [];
    const src = this.lx.src;
    const from = this.lx.peek().col - 1;
    // The flags are looked for before a comment (outside "strings" and 'c' constants).
    let stop = from;
    for (let quote = ""; stop < src.length; stop++) {
      const c = src[stop];
      if (quote !== "") {
        if (c === "\\") stop++;
        else if (c === quote) quote = "";
      } else if (c === '"' || c === "'") quote = c;
      else if (c === "#") break;
    }
    const names = new Set(flags.map((f) => f.name));
    const found: CommandArg[] = [];
    // The line rebuilt once from its pieces, each flag replaced by blanks.
    const pieces: string[] = [];
    let kept = 0;
    for (const m of src.slice(from, stop).matchAll(/(?<=^|\s)--[A-Za-z][\w-]*(?=\s|$)/g)) {
      if (!names.has(m[0])) continue;
      const at = from + m.index;
      const twice = found.find((f) => f.type === "word" && f.text === m[0]);
      if (twice !== undefined) {
        throw new ReplError(`${m[0]} is given twice`, at + 1, `once is enough`, "usage");
      }
      found.push({ type: "word", text: m[0], col: at + 1 });
      pieces.push(src.slice(kept, at), " ".repeat(m[0].length));
      kept = at + m[0].length;
    }
    if (found.length > 0) {
      pieces.push(src.slice(kept));
      const lx = new Lexer(pieces.join(""));
      while (!lx.atEnd() && lx.peek().col - 1 < from) lx.next();
      this.lx = lx;
    }
    return found;
  }

  private commandArgs(cmd: Token, all: readonly ArgShape[]): CommandArg[] {
    const flagArgs = this.takeFlags(all.filter((s) => s.kind === "flag"));
    const shape = all.filter((s) => s.kind !== "flag");
    const args: CommandArg[] = [];
    // name(a, b) is accepted for commands whose arguments are all expressions.
    if (shape.every((s) => s.kind === "expr") && this.isOp("(")) {
      this.lx.next();
      const list = this.callArgs(cmd);
      this.end();
      for (const e of list) args.push({ type: "expr", expr: e, col: exprStart(e) });
    } else {
      for (const s of shape) {
        if (s.kind === "word") {
          const w = this.lx.word();
          if (w === null) break;
          args.push({ type: "word", text: w.text, col: w.col });
          for (let v = s.variadic ? this.lx.word() : null; v !== null; v = this.lx.word()) {
            args.push({ type: "word", text: v.text, col: v.col });
          }
        } else {
          if (this.lx.atEnd()) break;
          if (this.isOp(",") && args.length > 0) this.lx.next();
          const e = this.expr();
          args.push({ type: "expr", expr: e, col: exprStart(e) });
        }
      }
      if (!this.lx.atEnd()) {
        const t = this.lx.peek();
        throw new ReplError(
          `too many arguments for ${cmd.text}`,
          t.col,
          `usage: ${usage(cmd.text, shape)}`,
          "usage",
        );
      }
    }
    const need = shape.filter((s) => !s.optional).length;
    if (args.length < need) {
      throw new ReplError(
        `${cmd.text} needs ${shape[args.length].name}`,
        this.lx.src.trimEnd().length + 1,
        `usage: ${usage(cmd.text, shape)}`,
        "usage",
      );
    }
    if (args.length > shape.length && !shape[shape.length - 1]?.variadic) {
      throw new ReplError(
        `too many arguments for ${cmd.text}`,
        args[shape.length].col,
        `usage: ${usage(cmd.text, shape)}`,
        "usage",
      );
    }
    return [...args, ...flagArgs];
  }

  /** Requires the end of the line. */
  end(): void {
    const t = this.lx.peek();
    if (t.type === "eof") return;
    if (t.type === "op" && t.text === ")") {
      throw new ReplError("unmatched ')'", t.col);
    }
    if (t.type === "op" && t.text === "=") {
      throw new ReplError("only a variable can be assigned", t.col, "write name = value");
    }
    throw new ReplError(
      `unexpected ${describe(t)}`,
      t.col,
      t.type === "op" ? undefined : "missing an operator or a comma?",
    );
  }

  expr(level = 0): Expr {
    if (level === LEVELS.length) return this.unary();
    let left = this.expr(level + 1);
    while (this.lx.peek().type === "op" && LEVELS[level].includes(this.lx.peek().text)) {
      const op = this.lx.next();
      const right = this.expr(level + 1);
      left = { type: "binary", op: op.text, left, right, col: op.col };
    }
    return left;
  }

  /**
   * Unary operators, then a primary: a loop, so a run of any length parses.
   * The run is kept reduced: + changes nothing, and two neighbouring - or
   * two ~ cancel, so `------x` is one node (x) and a megabyte of ~ costs
   * no tree. The outermost node keeps the first operator's column.
   */
  private unary(): Expr {
    const ops: { op: string; col: number }[] = [];
    let first = 0;
    for (;;) {
      const t = this.lx.peek();
      if (t.type !== "op" || (t.text !== "-" && t.text !== "+" && t.text !== "~")) break;
      this.lx.next();
      if (first === 0) first = t.col;
      if (t.text === "+") continue;
      if (ops.length > 0 && ops[ops.length - 1].op === t.text) ops.pop();
      else ops.push({ op: t.text, col: t.col });
    }
    let e = this.primary();
    if (first === 0) return e;
    if (ops.length === 0) return { type: "unary", op: "+", arg: e, col: first };
    for (let i = ops.length - 1; i >= 0; i--) {
      e = { type: "unary", op: ops[i].op, arg: e, col: i === 0 ? first : ops[i].col };
    }
    return e;
  }

  /** Enters a bracket or a call opened at `col`; refuses nesting past MAX_NESTING. */
  private enter(col: number): void {
    if (++this.depth > MAX_NESTING) {
      throw new ReplError(
        `expression nests more than ${MAX_NESTING} levels deep`,
        col,
        "compute the inner parts into variables first",
      );
    }
  }

  private primary(): Expr {
    const t = this.lx.next();
    const opens = t.type === "op" && (t.text === "(" || t.text === "[" || t.text === "{");
    const calls = t.type === "ident" && this.isOp("(");
    if (!opens && !calls) return this.leaf(t);
    this.enter(calls ? this.lx.peek().col : t.col);
    const e = this.leaf(t);
    this.depth--;
    return e;
  }

  private leaf(t: Token): Expr {
    switch (t.type) {
      case "num":
        return { type: "num", value: t.value!, col: t.col, text: t.text };
      case "str":
        return { type: "str", bytes: t.bytes!, col: t.col, text: t.text };
      case "ident":
        if (this.isOp("(")) {
          this.lx.next();
          return { type: "call", name: t.text, args: this.callArgs(t), col: t.col };
        }
        return { type: "name", name: t.text, col: t.col };
      case "op":
        if (t.text === "{") return this.structLiteral(t);
        if (t.text === "[") {
          const value = this.expr();
          const close = this.lx.next();
          if (close.type !== "op" || close.text !== "]") {
            throw new ReplError(`expected ']' to close the '[' at column ${t.col}`, close.col);
          }
          return { type: "intref", value, col: t.col };
        }
        if (t.text === "(") {
          const e = this.expr();
          const close = this.lx.next();
          if (close.type !== "op" || close.text !== ")") {
            throw new ReplError(`expected ')' to close the '(' at column ${t.col}`, close.col);
          }
          return e;
        }
        throw new ReplError(`expected a value, found '${t.text}'`, t.col);
      case "eof":
        throw new ReplError("expected a value at the end of the line", t.col);
    }
  }

  /** `{name=value, ...}` after the `{`, through the closing brace. */
  private structLiteral(open: Token): Expr {
    const fields: StructField[] = [];
    const seen = new Set<string>();
    if (this.isOp("}")) {
      this.lx.next();
      return { type: "struct", fields, col: open.col };
    }
    for (;;) {
      const name = this.lx.next();
      if (name.type !== "ident") {
        throw new ReplError(
          `expected a field name in the struct at column ${open.col}, found ${describe(name)}`,
          name.col,
          "write {field=value, ...}",
        );
      }
      const eq = this.lx.next();
      if (eq.type !== "op" || eq.text !== "=") {
        throw new ReplError(
          `expected '=' after the field ${name.text}`,
          eq.col,
          "write field=value",
        );
      }
      if (seen.has(name.text)) {
        throw new ReplError(`field ${name.text} is given twice`, name.col);
      }
      seen.add(name.text);
      fields.push({ name: name.text, col: name.col, value: this.expr() });
      const t = this.lx.next();
      if (t.type === "op" && t.text === ",") continue;
      if (t.type === "op" && t.text === "}") return { type: "struct", fields, col: open.col };
      throw new ReplError(
        t.type === "eof"
          ? `missing '}' to close the '{' at column ${open.col}`
          : `unexpected ${describe(t)} in the struct at column ${open.col}`,
        t.col,
        "fields are separated by commas",
      );
    }
  }

  /** The arguments after `name(`, through the closing parenthesis. */
  private callArgs(name: Token): Expr[] {
    const args: Expr[] = [];
    if (this.isOp(")")) {
      this.lx.next();
      return args;
    }
    for (;;) {
      args.push(this.expr());
      const t = this.lx.next();
      if (t.type === "op" && t.text === ",") continue;
      if (t.type === "op" && t.text === ")") return args;
      if (t.type === "eof") {
        throw new ReplError(`missing ')' after the arguments of ${name.text}`, t.col);
      }
      throw new ReplError(
        `unexpected ${describe(t)} in the arguments of ${name.text}`,
        t.col,
        "arguments are separated by commas",
      );
    }
  }

  private isOp(op: string): boolean {
    const t = this.lx.peek();
    return t.type === "op" && t.text === op;
  }
}

function describe(t: Token): string {
  if (t.type === "op") return `'${t.text}'`;
  if (t.type === "str") return "string";
  return `"${t.text}"`;
}

/** `pages ADDR [LEN]` from an argument shape. */
export function usage(name: string, shape: readonly ArgShape[]): string {
  return [name, ...shape.map((s) => s.optional ? `[${s.name}]` : s.name)].join(" ");
}
