/** VmaTree against a plain sorted-array model, over random inserts, removes and resizes. */
import fc from "fast-check";
import assert from "node:assert/strict";
import { VmaTree } from "../../lib/mm/vma_tree.ts";
import { Vma } from "../../lib/mm/vma.ts";
import type { Mm } from "../../lib/mm/mm.ts";

const mm = null as unknown as Mm;
const P = 4096;

function modelFind(model: Vma[], addr: number): Vma | null {
  return model.find((v) => v.end > addr) ?? null;
}

/** The model's highest gap end inside [low, high) of at least len, or -1. */
function modelHighest(model: Vma[], low: number, high: number, len: number): number {
  const bounds: [number, number][] = [];
  let prev = 0;
  for (const v of model) {
    bounds.push([prev, v.start]);
    prev = v.end;
  }
  bounds.push([prev, Number.MAX_SAFE_INTEGER]);
  for (let i = bounds.length - 1; i >= 0; i--) {
    const s = Math.max(bounds[i][0], low), e = Math.min(bounds[i][1], high);
    if (e - s >= len) return e;
  }
  return -1;
}

function modelLowest(model: Vma[], low: number, high: number, len: number): number {
  let prev = 0;
  for (const v of [...model, null]) {
    const s = Math.max(prev, low), e = Math.min(v === null ? high : v.start, high);
    if (e - s >= len) return s;
    if (v === null) break;
    prev = v.end;
  }
  return -1;
}

Deno.test("VmaTree agrees with a sorted array under random operations (incl. leaf splits and folds)", () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant("ins"), page: fc.nat(2000), n: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ k: fc.constant("ins"), page: fc.nat(2000), n: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ k: fc.constant("del"), i: fc.nat() }),
    fc.record({ k: fc.constant("grow"), i: fc.nat() }),
    fc.record({ k: fc.constant("split"), i: fc.nat(), below: fc.boolean() }),
    fc.record({
      k: fc.constant("gap"),
      lo: fc.nat(2100),
      span: fc.nat(2100),
      len: fc.integer({ min: 1, max: 40 }),
    }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
      const tree = new VmaTree();
      const model: Vma[] = [];
      for (const o of ops) {
        if (o.k === "ins") {
          const s = o.page * P, e = s + o.n * P;
          if (model.some((v) => v.start < e && s < v.end)) continue;
          const v = new Vma(mm, s, e, 0, o.page, null);
          tree.insert(v);
          model.push(v);
          model.sort((a, b) => a.start - b.start);
        } else if (o.k === "del" && model.length) {
          const v = model.splice(o.i % model.length, 1)[0];
          tree.remove(v);
        } else if (o.k === "grow" && model.length) {
          const i = o.i % model.length;
          const v = model[i];
          const limit = i + 1 < model.length ? model[i + 1].start : v.end + P;
          if (v.end + P <= limit) tree.setRange(v, v.start, v.end + P, v.pgoff);
        } else if (o.k === "split" && model.length) {
          // split_vma(): a new VMA for one side, linked beside the old one.
          const i = o.i % model.length;
          const v = model[i];
          if (v.end - v.start < 2 * P) continue;
          const mid = v.start + P;
          const n = new Vma(mm, 0, 0, 0, 0, null);
          if (o.below) {
            n.start = v.start;
            n.end = mid;
            tree.setRange(v, mid, v.end, v.pgoff);
          } else {
            n.start = mid;
            n.end = v.end;
            tree.setRange(v, v.start, mid, v.pgoff);
          }
          tree.insertBeside(v, n, !o.below);
          model.push(n);
          model.sort((a, b) => a.start - b.start);
        } else if (o.k === "gap") {
          const low = o.lo * P, high = low + o.span * P, len = o.len * P;
          assert.equal(tree.highestGapEnd(low, high, len), modelHighest(model, low, high, len));
          assert.equal(tree.lowestGapStart(low, high, len), modelLowest(model, low, high, len));
        }
        assert.equal(tree.check(), null);
        assert.equal(tree.count, model.length);
      }
      for (let a = 0; a < 2100 * P; a += 37 * P + 123) {
        assert.equal(tree.find(a), modelFind(model, a));
      }
      assert.deepEqual([...tree], model);
    }),
    { numRuns: 200 },
  );
});

Deno.test("VmaTree handles 60k VMAs with O(log n) lookups", () => {
  const tree = new VmaTree();
  const n = 60000;
  for (let i = 0; i < n; i++) tree.insert(new Vma(mm, i * 2 * P, i * 2 * P + P, 0, 0, null));
  assert.equal(tree.count, n);
  assert.equal(tree.check(), null);
  assert.equal(tree.find(2 * P * 30000 + P)!.start, 2 * P * 30001);
  assert.equal(tree.highestGapEnd(0, 2 * n * P, 2 * P), -1);
  assert.equal(tree.highestGapEnd(0, 2 * n * P + 5 * P, 2 * P), 2 * n * P + 5 * P);
});

Deno.test("Vma.reuseAs copies exactly what dup copies, and refuses a linked VMA", () => {
  const src = new Vma(mm, 0x7f0000000000, 0x7f0000003000, 0x100073, 0x7f0000000, null);
  src.anonVma = { id: 7, parent: null } as Vma["anonVma"];
  src.forkChild = true;
  src.anonName = "buf";
  src.priv = { driver: 1 };
  src.cacheMode = 3;
  src.viewMemo = "memo";
  const free = new Vma(mm, 0, 4096, 0, 0, null);
  free.viewMemo = "old";
  const fields = (v: Vma) => {
    const { prev: _p, next: _n, leaf: _l, slot: _s, viewMemo: _m, ...rest } = v;
    return rest;
  };
  assert.deepEqual(fields(free.reuseAs(src)), fields(src.dup()));
  assert.equal(free.viewMemo, null);
  const tree = new VmaTree();
  tree.insert(free);
  assert.throws(() => free.reuseAs(src), /not free/);
});
