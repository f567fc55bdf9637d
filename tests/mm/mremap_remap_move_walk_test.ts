/**
 * mm/mremap.c remap_move(): MREMAP_FIXED with old_len == new_len walks the
 * VMAs of the range with an iterator that ends once the last VMA it handed
 * out reaches the range's end; a move whose copy merged into the source
 * (MREMAP_DONTUNMAP keeps it) is not met again. Host-checked by
 * tests/conformance/mremap_dontunmap_fixed_merges_source.mm (6.18.44).
 */
import assert from "node:assert/strict";
import { Machine, mapsLines, syscall } from "../../mod.ts";

const ANON = 0x02n | 0x20n | 0x10n; // MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED
const MREMAP = 1n | 2n | 4n; // MAYMOVE | FIXED | DONTUNMAP

Deno.test("remap_move: DONTUNMAP|FIXED just past the source VMA merges and returns the new address", () => {
  const m = new Machine();
  const p = m.init;
  const a = 0x7f0000006000n;
  assert.equal(syscall(p, "mmap", [a, 0x4000n, 1n, ANON, -1n, 0n]).ret, Number(a));
  const r = syscall(p, "mremap", [a + 0x1000n, 0x1000n, 0x1000n, MREMAP, a + 0x4000n]).ret;
  assert.equal(r, Number(a + 0x4000n));
  assert.ok(mapsLines(p).some((l) => l.startsWith("7f0000006000-7f000000b000 r--p")));
});

Deno.test("remap_move: DONTUNMAP|FIXED over the source VMA's own tail returns the new address", () => {
  const m = new Machine();
  const p = m.init;
  const b = 0x7f0000020000n;
  assert.equal(syscall(p, "mmap", [b, 0xe000n, 3n, ANON, -1n, 0n]).ret, Number(b));
  const r = syscall(p, "mremap", [b + 0x6000n, 0x6000n, 0x6000n, MREMAP, b + 0xd000n]).ret;
  assert.equal(r, Number(b + 0xd000n));
  assert.ok(mapsLines(p).some((l) => l.startsWith("7f0000020000-7f0000033000 rw-p")));
});
