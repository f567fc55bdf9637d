/** mmlab's per-page view: PTE state and the frame behind each page. */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, FOLD_PAGES, mman, pageLines, pageRows, syscall } from "../../mod.ts";
import { ANON, B, fresh, map, PG, RW } from "./helpers.ts";
import { HANG_MS } from "../hang.ts";

Deno.test("pages: a fresh mapping has no PTEs", () => {
  const [, p] = fresh();
  map(p, B, 2 * PG, RW, ANON);
  assert.deepEqual(pageLines(p, B, B + 2 * PG), [
    "ADDRESS       PTE   PFN  ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL",
    "7f0000000000  none  -    -       -      -      -          -    -    -  -     -",
    "7f0000001000  none  -    -       -      -      -          -    -    -  -     -",
  ]);
});

Deno.test("pages: zero page on read, a private frame on write, COW after fork", () => {
  const [m, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  cpuRead(p, B, 1);
  cpuWrite(p, B + PG, new Uint8Array([0x41]));
  const before = pageLines(p, B, B + 3 * PG);
  assert.deepEqual(before, [
    "ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL",
    "7f0000000000  present  ZERO  r-      no     yes    yes        -    -    -  zero  -",
    "7f0000001000  present  1000  rw      yes    yes    no         1    1    0  anon  yes",
    "7f0000002000  none     -     -       -      -      -          -    -    -  -     -",
  ]);
  const c = m.process(syscall(p, "fork", []).ret)!;
  // Both sides map frame 1000 read-only, shared: refcount 2, mapcount 2, not exclusive.
  assert.deepEqual(pageLines(p, B + PG, B + 2 * PG), [
    "ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL",
    "7f0000001000  present  1000  r-      yes    yes    no         2    2    0  anon  no",
  ]);
  // The child's copies of the PTEs are old (not young).
  assert.deepEqual(pageLines(c, B, B + 2 * PG).slice(1), [
    "7f0000000000  present  ZERO  r-      no     no     yes        -    -    -  zero  -",
    "7f0000001000  present  1000  r-      yes    no     no         2    2    0  anon  no",
  ]);
  // The child writes: it gets a copy; the parent's frame is its own again.
  cpuWrite(c, B + PG, new Uint8Array([0x42]));
  assert.deepEqual(pageLines(c, B + PG, B + 2 * PG).slice(1), [
    "7f0000001000  present  1001  rw      yes    yes    no         1    1    0  anon  yes",
  ]);
  assert.deepEqual(pageLines(p, B + PG, B + 2 * PG).slice(1), [
    "7f0000001000  present  1000  r-      yes    yes    no         1    1    0  anon  no",
  ]);
  // The parent's write then reuses its page in place (refcount 1).
  cpuWrite(p, B + PG, new Uint8Array([0x43]));
  assert.deepEqual(pageLines(p, B + PG, B + 2 * PG).slice(1), [
    "7f0000001000  present  1000  rw      yes    yes    no         1    1    0  anon  yes",
  ]);
});

Deno.test("pages: PROT_NONE keeps frames mapped as protnone; ranges round out to pages", () => {
  const [, p] = fresh();
  map(p, B, 2 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  assert.equal(syscall(p, "mprotect", [BigInt(B), BigInt(2 * PG), mman.PROT_NONE]).ret, 0);
  assert.deepEqual(pageLines(p, B + 0x10, B + PG + 1), [
    "ADDRESS       PTE       PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL",
    "7f0000000000  protnone  1000  --      yes    yes    no         1    1    0  anon  yes",
    "7f0000001000  none      -     -       -      -      -          -    -    -  -     -",
  ]);
});

Deno.test("pages: shared file pages show the page-cache reference", () => {
  const [, p] = fresh();
  const fd = syscall(p, "open", ["/tmp/pages", 0o102, 0o644]).ret;
  assert.equal(syscall(p, "ftruncate", [fd, PG]).ret, 0);
  map(p, B, PG, RW, mman.MAP_SHARED | mman.MAP_FIXED_NOREPLACE, fd);
  cpuWrite(p, B, new Uint8Array([1]));
  // refcount 2: the page cache's reference and the mapping's.
  assert.deepEqual(pageLines(p, B, B + PG).slice(1), [
    "7f0000000000  present  1000  rw      yes    yes    no         2    1    0  file  -",
  ]);
});

Deno.test("pages: a guard region is a PTE marker", () => {
  const [, p] = fresh();
  map(p, B, 2 * PG, RW, ANON);
  const MADV_GUARD_INSTALL = 102;
  assert.equal(syscall(p, "madvise", [BigInt(B), BigInt(PG), MADV_GUARD_INSTALL]).ret, 0);
  assert.deepEqual(pageLines(p, B, B + PG).slice(1), [
    "7f0000000000  marker  -    -       -      -      -          -    -    -  guard  -",
  ]);
});

Deno.test("pages: runs of 16 or more empty pages fold into one line, shorter runs do not", () => {
  const [, p] = fresh();
  map(p, B, 64 * PG, RW, ANON);
  cpuWrite(p, B + 20 * PG, new Uint8Array([1]));
  cpuWrite(p, B + 36 * PG, new Uint8Array([1]));
  const lines = pageLines(p, B, B + 64 * PG);
  assert.equal(FOLD_PAGES, 16);
  assert.deepEqual(lines.map((l) => l.split(/\s+/).slice(0, 3).join(" ")), [
    "ADDRESS PTE PFN",
    "7f0000000000-7f0000014000 none (20",
    "7f0000014000 present 1000",
    // 15 empty pages: below the fold, one line each.
    ...Array.from({ length: 15 }, (_, i) => `${(B + (21 + i) * PG).toString(16)} none -`),
    "7f0000024000 present 1001",
    "7f0000025000-7f0000040000 none (27",
  ]);
  assert.equal(lines[1], "7f0000000000-7f0000014000  none  (20 pages)");
  // The data says the same: a run is {addr, end, pte, pages}.
  const rows = pageRows(p, B, B + 64 * PG);
  assert.deepEqual(rows[0], { addr: B, end: B + 20 * PG, pte: "none", pages: 20 });
  assert.equal(rows.length, lines.length - 1);
});

Deno.test("pages: the whole user half costs what is present, not its size", () => {
  const [, p] = fresh();
  map(p, B, 1 << 30, RW, ANON | mman.MAP_NORESERVE);
  cpuWrite(p, B + (1 << 29), new Uint8Array([1]));
  const t0 = performance.now();
  const lines = pageLines(p, 0, 0x7ffffffff000);
  assert.ok(performance.now() - t0 < HANG_MS, "walks only the populated levels");
  // Whatever the fresh process maps, the 1 GiB mapping is one present page between two runs.
  const i = lines.findIndex((l) => l.startsWith((B + (1 << 29)).toString(16) + "  present"));
  assert.ok(i > 1);
  assert.match(lines[i - 1], /^[0-9a-f]{12}-7f0020000000 {2}none {2}\(\d+ pages\)$/);
  assert.match(lines[i + 1], /^7f0020001000-[0-9a-f]{12} {2}none {2}\(\d+ pages\)$/);
  assert.ok(lines.length < 100);
});
