import assert from "node:assert/strict";
import {
  cellLetter,
  cpuWrite,
  FOLL_NAMES,
  framesView,
  pinUserPages,
  renderFrames,
  syscall,
} from "../../mod.ts";
import { ANON, B, fresh, map, PG, RW } from "./helpers.ts";

const FOLL_WRITE = FOLL_NAMES.find(([n]) => n === "FOLL_WRITE")![1];

/** The pfn a present PTE at addr maps. */
function pfnAt(p: ReturnType<typeof fresh>[1], addr: number): number {
  return p.mm.pt.pfnAt(addr / PG);
}

Deno.test("frames: a COW after fork gives the child's page a new frame only the child maps", () => {
  const [m, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  const old = pfnAt(p, B);
  const child = m.process(Number(syscall(p, "fork", []).ret))!;
  // Shared after fork: one frame, the parent's anon_vma, mapped twice.
  let row = framesView(m, { start: old, len: 1 }).rows![0];
  assert.deepEqual([row.owner, row.pids, row.map], ["anon", [p.pid, child.pid], 2]);
  cpuWrite(child, B, new Uint8Array([2]));
  const copy = pfnAt(child, B);
  assert.notEqual(copy, old);
  row = framesView(m, { start: old, len: 1 }).rows![0];
  assert.deepEqual([row.pids, row.map], [[p.pid], 1]);
  const c = framesView(m, { start: copy, len: 1 }).rows![0];
  assert.deepEqual([c.owner, c.pids, c.ref, c.map, c.pin], ["anon", [child.pid], 1, 1, 0]);
  const text = renderFrames(framesView(m, { start: copy, len: 1 }));
  assert.ok(
    text.includes(`${copy.toString(16)}  anon     1    1    0  ${child.pid}`),
    text.join("\n"),
  );
});

Deno.test("frames: a pinned frame is P in the grid and counts its pin", () => {
  const [m, p] = fresh();
  map(p, B, PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  const pfn = pfnAt(p, B);
  assert.equal(pinUserPages(p.mm, B, 1, FOLL_WRITE).pages.length, 1);
  const f = framesView(m, { start: pfn - 2, len: 4 });
  assert.equal(f.cells.map(cellLetter).join("")[2], "P");
  assert.equal(f.rows![2].pin, 1);
  assert.equal(f.rows![2].ref, 1 + 1024);
});

Deno.test("frames: the whole of RAM fits the grid; kernel, zero page and free frames counted", () => {
  const [m] = fresh();
  const f = framesView(m);
  assert.ok(f.cells.length <= 64 * 16);
  assert.equal(f.rows, null);
  assert.equal(f.cells.reduce((n, c) => n + c.n, 0), m.frames.nframes);
  assert.equal(f.counts.zero, 1);
  assert.ok(f.counts.kernel > 0 && f.counts.free > 0);
  assert.equal(cellLetter(f.cells[0]), "k");
  for (const l of renderFrames(f)) assert.ok(l.length <= 80, l);
});
