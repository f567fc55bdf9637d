import assert from "node:assert/strict";
import {
  columnLetter,
  columnMark,
  cpuWrite,
  FOLL_NAMES,
  mman,
  pinUserPages,
  renderVmmap,
  syscall,
  vmaKind,
  vmmap,
} from "../../mod.ts";
import { HANG_MS } from "../hang.ts";
import { ANON, B, fresh, map, PG, RW, SHANON } from "./helpers.ts";

const FOLL_WRITE = FOLL_NAMES.find(([n]) => n === "FOLL_WRITE")![1];

/** The letters row and the marks row of a picture of [start, end). */
function rows(p: Parameters<typeof vmmap>[0], start: number, end: number): [string, string] {
  const m = vmmap(p, { start, end });
  return [m.columns.map(columnLetter).join(""), m.columns.map(columnMark).join("").trimEnd()];
}

Deno.test("vmmap: one column per page; a split and the merge back line up column for column", () => {
  const [, p] = fresh();
  map(p, B, 16 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  const before = vmmap(p, { start: B, end: B + 16 * PG });
  assert.equal(before.pagesPerColumn, 1);
  assert.equal(before.columns.map(columnLetter).join(""), "Aaaaaaaaaaaaaaaa");
  assert.equal(before.vmas.length, 1);

  assert.equal(syscall(p, "mprotect", [BigInt(B + 4 * PG), BigInt(4 * PG), 0]).ret, 0);
  const split = vmmap(p, { start: B, end: B + 16 * PG });
  assert.equal(split.vmas.length, 3);
  assert.deepEqual(
    split.columns.map((c) => [c.start, c.end]),
    before.columns.map((c) => [c.start, c.end]),
  );
  assert.equal(split.columns.map(columnLetter).join(""), "Aaaaggggaaaaaaaa");
  // The text lines up too: same heading, ruler and margin.
  const tb = renderVmmap(before), ts = renderVmmap(split);
  assert.deepEqual(ts.slice(0, 3), tb.slice(0, 3));
  assert.equal(ts[3].indexOf("gggg"), tb[3].indexOf("A") + 4);

  assert.equal(syscall(p, "mprotect", [BigInt(B + 4 * PG), BigInt(4 * PG), RW]).ret, 0);
  const merged = vmmap(p, { start: B, end: B + 16 * PG });
  assert.equal(merged.vmas.length, 1);
  assert.deepEqual(renderVmmap(merged), tb);
});

Deno.test("vmmap: a wide range is drawn at a power-of-two scale that fits; a small VMA still shows", () => {
  const [, p] = fresh();
  map(p, B + 1000 * PG, PG, RW, ANON);
  const m = vmmap(p, { start: B, end: B + (1 << 30) });
  assert.equal(m.pagesPerColumn, 4096);
  assert.equal(m.width, 64);
  const letters = m.columns.map(columnLetter).join("");
  assert.equal(letters, "a" + ".".repeat(63));
  for (const l of renderVmmap(m)) assert.ok(l.length <= 80, l);
});

Deno.test("vmmap: kinds get their letters; shared, guard markers and pins are marked", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  map(p, B + 4 * PG, 4 * PG, RW, SHANON);
  cpuWrite(p, B + PG, new Uint8Array([1]));
  const pin = pinUserPages(p.mm, B + PG, 1, FOLL_WRITE);
  assert.equal(pin.pages.length, 1);
  assert.equal(
    syscall(p, "madvise", [BigInt(B + 2 * PG), BigInt(PG), mman.MADV_GUARD_INSTALL]).ret,
    0,
  );
  const [letters, marks] = rows(p, B, B + 8 * PG);
  assert.equal(letters, "aAaassss");
  assert.equal(marks, " P!");
  const m = vmmap(p, { start: B, end: B + 8 * PG });
  assert.deepEqual(m.legend.map((l) => l.letter), ["a", "s"]);
  assert.deepEqual(m.marks.map((k) => k.mark), ["P", "!"]);
  assert.equal(m.columns[1].pinned, 1);
  const text = renderVmmap(m);
  assert.ok(text.some((l) => l === "  P a page is pinned (FOLL_PIN)"), text.join("\n"));
});

Deno.test("vmmap: the whole space compresses gaps and fits 80 columns", () => {
  const [, p] = fresh();
  map(p, B, 16 * PG, RW, ANON);
  const m = vmmap(p);
  assert.equal(m.compressed, true);
  assert.equal(m.start, 0);
  assert.ok(m.width <= 64);
  assert.ok(m.segments.some((s) => s.gap));
  // Every VMA of the process is in some piece drawn to scale.
  for (const v of m.vmas) {
    assert.ok(m.segments.some((s) => !s.gap && s.start <= v.start && v.end <= s.end));
  }
  const text = renderVmmap(m);
  for (const l of text) assert.ok(l.length <= 80, l);
  assert.match(text[0], /gaps compressed/);
  assert.ok(text.some((l) => l.includes(B.toString(16))), text.join("\n"));
});

Deno.test("vmmap: 65,530 VMAs draw in one pass (whole space and a range)", () => {
  const [m, p] = fresh();
  m.sysctl.maxMapCount = 65530;
  const n = 65530 - p.mm.vmas.count;
  // Alternate protections page by page: every page its own VMA.
  map(p, B, n * PG, RW, ANON);
  for (let i = 1; i < n; i += 2) {
    assert.equal(syscall(p, "mprotect", [BigInt(B + i * PG), BigInt(PG), mman.PROT_READ]).ret, 0);
  }
  assert.equal(p.mm.vmas.count, 65530);
  const t0 = performance.now();
  const whole = vmmap(p);
  const range = vmmap(p, { start: B, end: B + n * PG });
  const text = [...renderVmmap(whole), ...renderVmmap(range)];
  assert.ok(performance.now() - t0 < HANG_MS);
  assert.equal(range.vmas.length, n);
  assert.ok(range.width <= 64);
  assert.ok(text.every((l) => l.length <= 80));
});

Deno.test("vmaKind: a fresh process's image, [heap], [vvar] and [stack]", () => {
  const [, p] = fresh();
  const kinds = new Map<string, string>();
  for (let v = p.mm.vmas.first; v !== null; v = v.next) {
    const name = vmmap(p, { start: v.start, end: v.end }).vmas[0].name;
    kinds.set(name, vmaKind(v));
  }
  assert.equal(kinds.get("/usr/bin/prog"), "file");
  assert.equal(kinds.get("[heap]"), "heap");
  assert.equal(kinds.get("[stack]"), "stack");
  assert.equal(kinds.get("[vvar]"), "device");
  const stack = p.mm.vmas.last!;
  const m = vmmap(p, { start: stack.start, end: stack.end });
  assert.equal(m.columns.map(columnLetter).join(""), "k".repeat(m.width));
});
