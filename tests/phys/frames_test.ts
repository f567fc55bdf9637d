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
