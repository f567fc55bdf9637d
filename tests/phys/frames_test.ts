import assert from "node:assert/strict";
import fc from "fast-check";
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

Deno.test("FrameTable: bytes match a plain model under random stores, fills, copies, loads, zeroes and reuse (partly written frames)", () => {
  const P = 4096;
  const op = fc.oneof(
    fc.record({ k: fc.constant("wb"), f: fc.nat(5), off: fc.nat(P - 1), v: fc.nat(255) }),
    fc.record({ k: fc.constant("wb"), f: fc.nat(5), off: fc.nat(P - 1), v: fc.nat(3) }),
    fc.record({
      k: fc.constant("fill"),
      f: fc.nat(5),
      off: fc.nat(P - 1),
      n: fc.nat(P),
      v: fc.nat(2),
    }),
    fc.record({ k: fc.constant("whole"), f: fc.nat(5), v: fc.nat(2) }),
    fc.record({ k: fc.constant("copy"), f: fc.nat(5), g: fc.nat(5) }),
    fc.record({ k: fc.constant("load"), f: fc.nat(5), n: fc.nat(P), v: fc.nat(255) }),
    fc.record({ k: fc.constant("zero"), f: fc.nat(5), from: fc.nat(P), n: fc.nat(P) }),
    fc.record({ k: fc.constant("free"), f: fc.nat(5) }),
    fc.record({ k: fc.constant("peek"), f: fc.nat(5) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
      const ft = new FrameTable({ ramBytes: 16 << 20 });
      const pfns = Array.from({ length: 6 }, () => ft.alloc());
      const model = pfns.map(() => new Uint8Array(P));
      // Dirty every slab byte first, so that stale bytes would show.
      // (Two partial fills: a whole-page fill would write no slab byte.)
      for (const p of pfns) ft.fill(p, 0, P - 1, 0xee), ft.fill(p, P - 1, 1, 0xee);
      for (const p of pfns) ft.put(p);
      for (let i = 0; i < pfns.length; i++) assert.equal(ft.alloc(), pfns[pfns.length - 1 - i]);
      for (const o of ops) {
        const p = pfns[o.f], m = model[o.f];
        if (o.k === "wb") {
          ft.writeByte(p, o.off, o.v);
          m[o.off] = o.v;
        } else if (o.k === "fill") {
          const n = Math.min(o.n, P - o.off);
          ft.fill(p, o.off, n, o.v);
          m.fill(o.v, o.off, o.off + n);
        } else if (o.k === "whole") {
          ft.fill(p, 0, P, o.v);
          m.fill(o.v);
        } else if (o.k === "copy") {
          ft.copy(p, pfns[o.g]);
          m.set(model[o.g]);
        } else if (o.k === "load") {
          const bytes = new Uint8Array(o.n).fill(o.v);
          ft.load(p, o.n === 0 ? undefined : bytes);
          if (o.n === 0) m.fill(0);
          else m.set(bytes);
        } else if (o.k === "zero") {
          const to = Math.min(P, o.from + o.n);
          ft.zero(p, o.from, to);
          m.fill(0, o.from, to);
        } else if (o.k === "free") {
          ft.put(p);
          assert.equal(ft.alloc(), p);
          m.fill(0);
        } else {
          const b = ft.peekBytes(p);
          assert.deepEqual(b ?? new Uint8Array(P), m);
        }
      }
      for (let i = 0; i < pfns.length; i++) {
        for (let off = 0; off < P; off++) {
          if (ft.readByte(pfns[i], off) !== model[i][off]) {
            assert.fail(`frame ${i} byte ${off}: ${ft.readByte(pfns[i], off)} != ${model[i][off]}`);
          }
        }
        assert.deepEqual(ft.peekBytes(pfns[i]) ?? new Uint8Array(P), model[i]);
      }
    }),
    { numRuns: 150 },
  );
});
