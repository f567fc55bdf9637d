import assert from "node:assert/strict";
import { FrameTable, GUP_PIN_COUNTING_BIAS } from "../../lib/phys/frames.ts";

Deno.test("FrameTable: LIFO reuse — the frame freed last is handed out next", () => {
  const ft = new FrameTable({ ramBytes: 16 << 20 });
  const a = ft.alloc(), b = ft.alloc();
  assert.equal(b, a + 1);
  ft.put(a);
  assert.equal(ft.alloc(), a);
});

Deno.test("FrameTable: bytes are stored only when non-zero, zeroed on reallocation", () => {
  const ft = new FrameTable({ ramBytes: 16 << 20 });
  const p = ft.alloc();
  ft.writeByte(p, 1, 0);
  assert.equal(ft.materialized, 0);
  ft.writeByte(p, 1, 9);
  assert.equal(ft.readByte(p, 1), 9);
  ft.put(p);
  assert.equal(ft.alloc(), p);
  assert.equal(ft.readByte(p, 1), 0);
});

Deno.test("FrameTable: the pin bias makes page_maybe_dma_pinned true, with its false positives", () => {
  const ft = new FrameTable({ ramBytes: 16 << 20 });
  const p = ft.alloc();
  assert.equal(ft.maybeDmaPinned(p), false);
  ft.refcount[p] += GUP_PIN_COUNTING_BIAS;
  assert.equal(ft.maybeDmaPinned(p), true);
  const q = ft.alloc();
  ft.refcount[q] = GUP_PIN_COUNTING_BIAS; // 1024 plain references look pinned too
  assert.equal(ft.maybeDmaPinned(q), true);
});

Deno.test("FrameTable: the zero page and reserved frames are never freed or counted", () => {
  const ft = new FrameTable({ ramBytes: 16 << 20 });
  assert.equal(ft.kind(ft.zeroPfn), "zero");
  assert.equal(ft.put(ft.zeroPfn), false);
  assert.equal(ft.refcount[ft.zeroPfn], 1);
  const n = ft.freeCount;
  while (ft.alloc() >= 0);
  assert.equal(ft.freeCount, 0);
  assert.ok(n > 0);
});

Deno.test("FrameTable: copy and zero across slabs; a reused frame never shows old bytes", () => {
  const ft = new FrameTable({ ramBytes: 16 << 20 });
  const pfns = Array.from({ length: 300 }, () => ft.alloc()); // spans two 256-frame slabs
  const [a, b] = [pfns[10], pfns[290]];
  ft.fill(a, 100, 8, 0x5a);
  ft.copy(b, a);
  assert.equal(ft.readByte(b, 104), 0x5a);
  assert.equal(ft.materialized, 2);
  ft.zero(a, 100, 102);
  assert.deepEqual([ft.readByte(a, 101), ft.readByte(a, 102)], [0, 0x5a]);
  ft.zero(b);
  assert.equal(ft.peekBytes(b), undefined);
  assert.equal(ft.materialized, 1);
  ft.put(a);
  const again = ft.alloc();
  assert.equal(again, a);
  assert.equal(ft.readByte(again, 102), 0);
  ft.writeByte(again, 0, 1);
  assert.equal(ft.readByte(again, 102), 0, "materializing zeroes the old slab bytes");
});
