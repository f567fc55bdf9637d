import fc from "fast-check";
import assert from "node:assert/strict";
import { pageAlignU64, s32, u64 } from "../../lib/abi/layout.ts";

Deno.test("u64/s32: numbers and bigints of the same value convert alike (register semantics)", () => {
  fc.assert(
    fc.property(
      fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.bigInt({ min: -(1n << 70n), max: 1n << 70n })),
      (x) => {
        const big = typeof x === "bigint" ? x : BigInt(x);
        assert.equal(u64(x), BigInt.asUintN(64, big));
        assert.equal(s32(x), Number(BigInt.asIntN(32, big)));
      },
    ),
  );
  assert.equal(u64(-1), 0xffffffffffffffffn);
  assert.equal(s32(0xffffffff), -1);
  assert.equal(s32(2 ** 40 + 5), 5);
  assert.equal(pageAlignU64(0xfffffffffffff001n), 0n);
});
