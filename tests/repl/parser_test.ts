import assert from "node:assert/strict";
import { ReplError } from "../../repl/errors.ts";
import { evalNum } from "../../repl/eval.ts";
import { Lexer } from "../../repl/lexer.ts";
import { parseExpr, parseLine, type Stmt } from "../../repl/parser.ts";
import { wordShape } from "../../repl/commands/index.ts";
import { COMMANDS } from "../../repl/commands/index.ts";

const scope = (vars: Record<string, bigint> = {}) => ({
  vars: new Map(Object.entries(vars)),
  policies: {},
  commands: COMMANDS,
});
const val = (src: string, vars: Record<string, bigint> = {}) =>
  evalNum(parseExpr(src), scope(vars));

/** The error a source raises, as [column, message]. */
function err(f: () => unknown): ReplError {
  try {
    f();
  } catch (e) {
    if (e instanceof ReplError) return e;
    throw e;
  }
  throw new Error("no error");
}

Deno.test("numbers: decimal, hex, octal, binary, chars, size and C suffixes", () => {
  assert.equal(val("4096"), 4096n);
  assert.equal(val("0x7f0000000000"), 0x7f0000000000n);
  assert.equal(val("0X1F"), 31n);
  assert.equal(val("0644"), 0o644n);
  assert.equal(val("0"), 0n);
  assert.equal(val("0b101"), 5n);
  assert.equal(val("16K"), 16384n);
  assert.equal(val("2M"), 2n << 20n);
  assert.equal(val("1G"), 1n << 30n);
  assert.equal(val("1T"), 1n << 40n);
  assert.equal(val("4k"), 4096n);
  assert.equal(val("0x10K"), 16n * 1024n);
  assert.equal(val("0x7f0000000000UL"), 0x7f0000000000n);
  assert.equal(val("1ULL"), 1n);
  assert.equal(val("'A'"), 65n);
  assert.equal(val("'\\n'"), 10n);
  assert.equal(val("'\\0'"), 0n);
  assert.equal(val("'\\x41'"), 65n);
});

Deno.test("operators: C precedence, parentheses, unary minus, 64-bit values", () => {
  assert.equal(val("1 + 2 * 3"), 7n);
  assert.equal(val("(1 + 2) * 3"), 9n);
  assert.equal(val("10 - 4 - 3"), 3n);
  assert.equal(val("16K / 4K / 2"), 2n);
  assert.equal(val("7 % 4"), 3n);
  assert.equal(val("-7 / 2"), -3n); // C truncates toward zero
  assert.equal(val("1 | 2 & 3"), 3n); // & binds tighter than |
  assert.equal(val("1 << 4 + 1"), 32n); // + binds tighter than <<
  assert.equal(val("6 ^ 3 | 8"), 13n);
  assert.equal(val("~0"), -1n);
  assert.equal(val("-1"), -1n);
  assert.equal(val("--1"), 1n);
  assert.equal(val("-(2 + 3) * 2"), -10n);
  assert.equal(val("0xffffffffffffffff"), -1n); // a u64 register: the same bits as -1
  assert.equal(val("1 << 63"), -(1n << 63n));
  assert.equal(val("0xfffffffffffff000 >> 12"), 0xfffffffffffffn);
  assert.equal(val("~0xfff & 0x7f0000001234"), 0x7f0000001000n);
  assert.equal(val("a + 4K", { a: 0x7f0000000000n }), 0x7f0000001000n);
  assert.equal(val("PROT_READ|PROT_WRITE"), 3n);
  assert.equal(val("MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED"), 0x32n);
  assert.equal(val("NULL"), 0n);
  assert.equal(val("SIGSEGV"), 11n);
  assert.equal(val("O_RDWR|O_CREAT"), 0o102n);
});

Deno.test("errors point at their column, with a hint", () => {
  let e = err(() => val("PROT_RAED"));
  assert.equal(e.col, 1);
  assert.equal(e.message, "unknown name PROT_RAED");
  assert.equal(e.hint, "did you mean PROT_READ?");
  e = err(() => val("1 + prot_read"));
  assert.equal(e.col, 5);
  assert.equal(e.hint, "did you mean PROT_READ?");
  e = err(() => val("08"));
  assert.equal(e.col, 2);
  assert.match(e.message, /invalid digit "8" in octal constant/);
  e = err(() => val("4KB"));
  assert.equal(e.col, 1);
  assert.match(e.message, /bad number "4KB"/);
  e = err(() => val("1 +"));
  assert.equal(e.col, 4);
  e = err(() => val("(1 + 2"));
  assert.equal(e.col, 7);
  assert.match(e.message, /expected '\)' to close the '\(' at column 1/);
  e = err(() => val("1 2"));
  assert.equal(e.col, 3);
  assert.equal(e.hint, "missing an operator or a comma?");
  e = err(() => val("4 / 0"));
  assert.equal(e.col, 3);
  assert.equal(e.message, "division by zero");
  e = err(() => val("1 $ 2"));
  assert.equal(e.col, 3);
  assert.equal(e.message, "unexpected character '$'");
  e = err(() => val('"abc'));
  assert.equal(e.message, "unterminated string");
  e = err(() => val("mmap"));
  assert.equal(e.message, "mmap is a command, not a value");
  e = err(() => val("1 + peek(0)"));
  assert.equal(e.col, 5);
  assert.match(e.message, /must be a whole command/);
  e = err(() => val("1 << 64"));
  assert.equal(e.col, 3);
});

Deno.test("string literals decode C escapes", () => {
  const t = new Lexer('"a\\tb\\n\\0\\x41\\101\\\\\\""').next();
  assert.equal(t.type, "str");
  assert.deepEqual([...t.bytes!], [97, 9, 98, 10, 0, 0x41, 0o101, 92, 34]);
  const u = new Lexer('"é"').next();
  assert.deepEqual([...u.bytes!], [0xc3, 0xa9]);
});

Deno.test("lines: assignment, @pid, word commands, comments", () => {
  const p = (s: string): Stmt => parseLine(s, wordShape);
  assert.deepEqual(p(""), { type: "empty" });
  assert.deepEqual(p("   # just a comment"), { type: "empty" });
  let s = p("a = mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) # map");
  assert.equal(s.type, "eval");
  if (s.type === "eval") {
    assert.deepEqual(s.assign, { name: "a", col: 1 });
    assert.equal(s.expr.type, "call");
    if (s.expr.type === "call") {
      assert.equal(s.expr.name, "mmap");
      assert.equal(s.expr.args.length, 6);
      assert.equal(s.expr.col, 5);
      assert.equal(s.expr.args[1].col, 16);
    }
  }
  s = p("@2 peek(a)");
  assert.equal(s.type, "eval");
  if (s.type === "eval") assert.deepEqual(s.target, { value: 2n, col: 2 });
  s = p("@c");
  assert.deepEqual(s, { type: "switch", target: { value: "c", col: 2 } });
  s = p("pages a + 4K 8K");
  assert.equal(s.type, "command");
  if (s.type === "command") {
    assert.equal(s.args.length, 2);
    assert.equal(s.args[0].col, 7);
    assert.equal(s.args[1].col, 14);
  }
  s = p("pages(a, 8K)");
  assert.equal(s.type, "command");
  if (s.type === "command") assert.equal(s.args.length, 2);
  s = p("policy fork.pinnedPages cow-steal");
  assert.equal(s.type, "command");
  if (s.type === "command") {
    assert.deepEqual(s.args, [
      { type: "word", text: "fork.pinnedPages", col: 8 },
      { type: "word", text: "cow-steal", col: 25 },
    ]);
  }
  let e = err(() => p("maps 1 2 3"));
  assert.equal(e.col, 10);
  assert.match(e.message, /too many arguments for maps/);
  e = err(() => p("pages"));
  assert.match(e.message, /pages needs ADDR/);
  assert.equal(e.hint, "usage: pages ADDR [LEN]");
  e = err(() => p("@ 2 maps"));
  assert.equal(e.col, 2);
  e = err(() => p("mmap(NULL, 4K"));
  assert.equal(e.col, 14);
  e = err(() => p("1 = 2"));
  assert.equal(e.col, 3);
});
