/**
 * A whole-page fill is stored as one byte value (lib/phys/frames.ts,
 * UNIFORM): every way a page can then be read or partly written must show
 * exactly what the bytes would show. Each case runs the same lines in two
 * sessions: one filled by whole-page memsets (the lazy state), the other
 * by the same bytes stored in pieces that never cover a whole page (slab
 * bytes), and compares every output line; `check` must pass in both.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { FrameTable } from "../../lib/phys/frames.ts";

const MAP = (name: string, at: string) =>
  `${name} = mmap(${at}, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)`;

/** Fills a's four pages with 0x41: whole pages, or each page in two pieces. */
function fillLines(lazy: boolean): string[] {
  if (lazy) return ["memset(a, 0x41, 16K)"];
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    out.push(`memset(a + ${i * 4096}, 0x41, 4095)`, `memset(a + ${i * 4096 + 4095}, 0x41, 1)`);
  }
  return out;
}

async function outputs(lazy: boolean, lines: string[]): Promise<string[]> {
  const s = new Session();
  for (const l of [MAP("a", "0x7f0000000000"), MAP("b", "0x7f0000100000"), ...fillLines(lazy)]) {
    const r = await s.run(l);
    assert.equal(r.error, undefined, `${l}: ${r.output.join(" ")}`);
  }
  const lazyFrames = s.current!.machine.frames.materialized;
  if (lazy) assert.equal(lazyFrames, 0, "a whole-page memset allocates no slab bytes");
  const out: string[] = [];
  for (const l of [...lines, "check"]) {
    const r = await s.run(l);
    out.push(`> ${l}`, ...r.output, ...(r.error ? [`error: ${r.error.message}`] : []));
  }
  return out;
}

async function same(what: string, lines: string[]): Promise<string[]> {
  const lazy = await outputs(true, lines);
  assert.deepEqual(lazy, await outputs(false, lines), what);
  assert.ok(!lazy.some((l) => /frames:/.test(l)), lazy.join("\n"));
  return lazy;
}

Deno.test("uniform fill: loads (peek, read views) see the value", async () => {
  const out = await same("loads", ["peek(a, 4)", "peek(a + 4K - 2, 4)", "x = peek(a + 12K + 7)"]);
  assert.ok(out.some((l) => l.includes("|AAAA|")), out.join("\n"));
  await same("views", ["pages(a, 16K)", "pagemap(a, 16K)", "frames"]);
});

Deno.test("uniform fill: stores of the same and of other values, partial memsets", async () => {
  await same("stores", [
    "poke(a + 5, 0x41)",
    "peek(a, 8)",
    "poke(a + 5, 0x42)",
    "peek(a, 8)",
    "peek(a + 4K - 1)",
    'poke(a + 4K - 1, "xy")',
    "peek(a + 4K - 2, 4)",
    "memset(a + 8K + 100, 0x41, 10)",
    "memset(a + 8K + 200, 0x43, 20)",
    "peek(a + 8K + 195, 30)",
    "memset(a + 12K + 1, 0, 4094)",
    "peek(a + 12K, 3)",
    "peek(a + 16K - 2, 2)",
  ]);
});

Deno.test("uniform fill: whole-page refills, zeroing and MADV_DONTNEED", async () => {
  await same("refill", [
    "memset(a, 0x42, 4K)",
    "peek(a + 4K - 2, 4)",
    "memset(a + 4K, 0, 4K)",
    "peek(a + 4K - 2, 4)",
    "madvise(a + 8K, 4K, MADV_DONTNEED)",
    "peek(a + 8K, 2)",
    "memset(a + 8K, 7, 4K)",
    "peek(a + 8K, 2)",
  ]);
});

Deno.test("uniform fill: fork, then COW copies on both sides", async () => {
  await same("cow", [
    "c = fork()",
    "@c poke(a + 4K + 3, 9)",
    "@c peek(a + 4K, 5)",
    "@1 peek(a + 4K, 5)",
    "poke(a + 8K, 1)",
    "@c peek(a + 8K, 2)",
    "@1 peek(a + 8K, 2)",
  ]);
});

Deno.test("uniform fill: write(2) from, read(2) and pread into a filled page", async () => {
  await same("files", [
    'fd = open("/tmp/u", O_RDWR|O_CREAT, 0644)',
    "write(fd, a + 4K - 3, 8)",
    "pread(fd, b, 8, 0)",
    "peek(b, 8)",
    'pwrite(fd, "zz", 2, 2)',
    "pread(fd, a + 8K + 1, 4, 0)",
    "peek(a + 8K, 6)",
    "lseek(fd, 0, SEEK_SET)",
    "read(fd, a + 12K, 8)",
    "peek(a + 12K, 10)",
  ]);
});

Deno.test("uniform fill: DMA through a pin lands in the filled frame", async () => {
  await same("dma", [
    "pin_user_pages(a, 1, FOLL_WRITE)",
    'dma_write(a + 2, "RDMA")',
    "peek(a, 8)",
  ]);
});

Deno.test("FrameTable: a whole-page fill is one value until a different store", () => {
  const ft = new FrameTable({ ramBytes: 16 << 20 });
  const [p, q, r] = [ft.alloc(), ft.alloc(), ft.alloc()];
  ft.fill(p, 0, 4096, 0x41);
  assert.equal(ft.materialized, 0);
  assert.deepEqual([ft.readByte(p, 0), ft.readByte(p, 4095)], [0x41, 0x41]);
  assert.deepEqual(ft.peekBytes(p), new Uint8Array(4096).fill(0x41));
  ft.writeByte(p, 9, 0x41);
  ft.fill(p, 100, 50, 0x41);
  assert.equal(ft.materialized, 0, "storing the same value keeps it uniform");
  ft.copy(q, p);
  assert.equal(ft.materialized, 0, "a copy of a uniform frame is uniform");
  ft.writeByte(q, 9, 1);
  assert.equal(ft.materialized, 1);
  assert.deepEqual([ft.readByte(q, 8), ft.readByte(q, 9), ft.readByte(p, 9)], [0x41, 1, 0x41]);
  ft.zero(p, 0, 1);
  assert.deepEqual([ft.readByte(p, 0), ft.readByte(p, 1)], [0, 0x41]);
  ft.fill(r, 0, 4096, 3);
  ft.fill(r, 0, 4096, 0);
  assert.equal(ft.peekBytes(r), undefined, "a zero fill makes the frame read as zeros");
  ft.fill(r, 0, 4096, 3);
  ft.load(r, new Uint8Array(10).fill(5));
  assert.deepEqual([ft.readByte(r, 9), ft.readByte(r, 10)], [5, 3], "a short load keeps the rest");
  ft.fill(q, 0, 4096, 6);
  ft.put(q);
  assert.equal(ft.alloc(), q);
  assert.equal(ft.readByte(q, 0), 0, "a reused frame reads as zeros");
  assert.deepEqual(ft.byteStateProblems(), []);
});
