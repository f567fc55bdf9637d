/**
 * The command language at its edges: comparison operators, constants of
 * 2^64 and more, nesting limits, flat chains of any length, and hints that
 * stay cheap for names of any length.
 */
import assert from "node:assert/strict";
import { ReplError } from "../../repl/errors.ts";
import { evalNum } from "../../repl/eval.ts";
import { MAX_NESTING, parseExpr } from "../../repl/parser.ts";
import { COMMANDS } from "../../repl/commands/index.ts";
import { closest, editDistance, SUGGEST_MAX_LENGTH } from "../../repl/suggest.ts";
import { HANG_MS } from "../hang.ts";

const scope = { vars: new Map<string, bigint>(), policies: {}, commands: COMMANDS };
const val = (src: string) => evalNum(parseExpr(src), scope);

function err(f: () => unknown): ReplError {
  try {
    f();
  } catch (e) {
    if (e instanceof ReplError) return e;
    throw e;
  }
  throw new Error("no error");
}

Deno.test("comparisons: 0 or 1, C's precedence (below shifts, above &), signed 64-bit", () => {
  assert.equal(val("1 == 1"), 1n);
  assert.equal(val("1 != 1"), 0n);
  assert.equal(val("2 < 3"), 1n);
  assert.equal(val("3 <= 3"), 1n);
  assert.equal(val("3 > 3"), 0n);
  assert.equal(val("4 >= 3"), 1n);
  // Relational binds tighter than equality: (1 < 2) == 1.
  assert.equal(val("1 < 2 == 1"), 1n);
  // Shifts bind tighter than relational: 1 << (2 < 3)? No: (1 << 2) < 3 = 0.
  assert.equal(val("1 << 2 < 3"), 0n);
  // + binds tighter: 1 + 1 == 2.
  assert.equal(val("1 + 1 == 2"), 1n);
  // & binds looser than ==: 3 & (2 == 2) = 1.
  assert.equal(val("3 & 2 == 2"), 1n);
  // Left to right: (3 > 2) > 1 = 0, as in C.
  assert.equal(val("3 > 2 > 1"), 0n);
  // Both sides are C's long: 0xffffffffffffffff is -1.
  assert.equal(val("0xffffffffffffffff == -1"), 1n);
  assert.equal(val("-1 < 0"), 1n);
  // << and <= lex apart.
  assert.equal(val("1<<2<=4"), 1n);
  assert.match(err(() => val("1 ! 2")).message, /unexpected character '!'/);
});

Deno.test("constants of 2^64 or more are refused as a C compiler does, at their column", () => {
  assert.equal(val("18446744073709551615"), -1n);
  assert.equal(val("0xffffffffffffffff"), -1n);
  for (
    const src of [
      "18446744073709551616",
      "0x10000000000000000",
      "0b1" + "0".repeat(64),
      "02000000000000000000000",
      "16777216T",
      "x + 99999999999999999999999",
    ]
  ) {
    const e = err(() => val(src));
    assert.equal(e.message, "integer constant is too large for its type", src);
    assert.equal(e.col, src.startsWith("x") ? 5 : 1);
    assert.match(e.hint!, /64-bit/);
  }
  // A megabyte of digits is refused after the first 20, in linear time.
  const t0 = performance.now();
  assert.match(err(() => val("9".repeat(1 << 20))).message, /too large/);
  assert.equal(val("0".repeat(1 << 20) + "7"), 7n);
  assert.ok(performance.now() - t0 < HANG_MS);
});

Deno.test("flat chains of any length evaluate; nesting stops at MAX_NESTING with one error", () => {
  assert.equal(val(Array(100_000).fill("1").join("+")), 100_000n);
  assert.equal(val("-".repeat(7937) + "1"), -1n);
  assert.equal(val("~".repeat(100_000) + "5"), 5n);
  assert.equal(val("(".repeat(MAX_NESTING) + "1" + ")".repeat(MAX_NESTING)), 1n);
  const deep = "(".repeat(1024) + "1" + ")".repeat(1024);
  const e = err(() => val(deep));
  assert.equal(e.message, `expression nests more than ${MAX_NESTING} levels deep`);
  assert.equal(e.col, MAX_NESTING + 1);
  assert.match(err(() => val("-(".repeat(300) + "1" + ")".repeat(300))).message, /nests/);
});

Deno.test("did you mean: cheap for names of any length, bounded distance", () => {
  assert.equal(closest("PROT_RAED", ["PROT_READ", "PROT_WRITE"]), "PROT_READ");
  assert.equal(closest("prot_read", ["PROT_READ"]), "PROT_READ");
  assert.equal(closest("x".repeat(SUGGEST_MAX_LENGTH + 1), ["x"]), undefined);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("kitten", "sitting", 1), 2);
  assert.equal(editDistance("ab", "ba"), 1);
  const names = Array.from({ length: 2000 }, (_, i) => `NAME_${i}_${"y".repeat(i % 40)}`);
  const t0 = performance.now();
  assert.equal(closest("z".repeat(1 << 20), names), undefined);
  assert.equal(closest("Q".repeat(SUGGEST_MAX_LENGTH), names), undefined);
  assert.ok(performance.now() - t0 < HANG_MS);
});
