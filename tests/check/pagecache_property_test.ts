/**
 * Random operation sequences on files (two regular files on disk and a
 * memfd) through mappings, read/write, msync, madvise (PAGEOUT, COLD,
 * WILLNEED, POPULATE...), truncation and hole punching, across fork: every
 * machine invariant holds after each step (lib/check/invariants.ts: refcounts
 * = mappings + page cache + pins, mapped cache pages uptodate, a clean page
 * equal to its block on disk), and operations that do not write leave
 * every file's contents as they were: reclaim and readahead are invisible
 * to the data.
 */
import fc from "fast-check";
import assert from "node:assert/strict";
import { checkInvariants, cpuRead, cpuWrite, Machine, type Process, syscall } from "../../mod.ts";
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  MADV_COLD,
  MADV_DONTNEED,
  MADV_NORMAL,
  MADV_PAGEOUT,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_WILLNEED,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  MS_SYNC,
  O_CREAT,
  O_RDWR,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { installStdio } from "../../lib/fs/syscalls.ts";
import type { Inode } from "../../lib/fs/inode.ts";

const BASE = 0x7f0000000000;
const PG = 4096;
const SLOTS = 6; // mapping slots, 1 MiB apart
const FILE_PAGES = 40;

type Op =
  | { k: "mmap"; slot: number; file: number; off: number; n: number; prot: number; shared: boolean }
  | { k: "munmap"; slot: number }
  | { k: "read"; slot: number; page: number }
  | { k: "write"; slot: number; page: number; v: number }
  | { k: "pread"; file: number; off: number; n: number }
  | { k: "pwrite"; file: number; off: number; n: number; v: number }
  | { k: "msync"; slot: number }
  | { k: "madvise"; slot: number; page: number; n: number; advice: number }
  | { k: "truncate"; file: number; size: number }
  | { k: "punch"; file: number; off: number; n: number }
  | { k: "alloc"; file: number; off: number; n: number; keep: boolean }
  | { k: "fork" }
  | { k: "exit" }
  | { k: "switch"; i: number };

const slot = fc.integer({ min: 0, max: SLOTS - 1 });
const file = fc.integer({ min: 0, max: 2 });
const pg = fc.integer({ min: 0, max: FILE_PAGES - 1 });
const advices = [
  MADV_PAGEOUT,
  MADV_PAGEOUT,
  MADV_COLD,
  MADV_WILLNEED,
  MADV_DONTNEED,
  MADV_POPULATE_READ,
  MADV_POPULATE_WRITE,
  MADV_RANDOM,
  MADV_SEQUENTIAL,
  MADV_NORMAL,
];
const WRITES = new Set(["write", "pwrite", "truncate", "punch", "alloc"]);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant("mmap" as const),
      slot,
      file,
      off: pg,
      n: fc.integer({ min: 1, max: 20 }),
      prot: fc.constantFrom(PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC),
      shared: fc.boolean(),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ k: fc.constant("munmap" as const), slot }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("read" as const), slot, page: pg }), weight: 5 },
  {
    arbitrary: fc.record({
      k: fc.constant("write" as const),
      slot,
      page: pg,
      v: fc.integer({ min: 1, max: 255 }),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("pread" as const),
      file,
      off: fc.integer({ min: 0, max: FILE_PAGES * PG }),
      n: fc.integer({ min: 1, max: 3 * PG }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("pwrite" as const),
      file,
      off: fc.integer({ min: 0, max: FILE_PAGES * PG }),
      n: fc.integer({ min: 1, max: 2 * PG }),
      v: fc.integer({ min: 1, max: 255 }),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant("msync" as const), slot }), weight: 2 },
  {
    arbitrary: fc.record({
      k: fc.constant("madvise" as const),
      slot,
      page: pg,
      n: fc.integer({ min: 1, max: 20 }),
      advice: fc.constantFrom(...advices),
    }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("truncate" as const),
      file,
      size: fc.integer({ min: 0, max: FILE_PAGES * PG }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("punch" as const),
      file,
      off: fc.integer({ min: 0, max: FILE_PAGES * PG }),
      n: fc.integer({ min: 1, max: 4 * PG }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("alloc" as const),
      file,
      off: fc.integer({ min: 0, max: FILE_PAGES * PG }),
      n: fc.integer({ min: 1, max: 4 * PG }),
      keep: fc.boolean(),
    }),
    weight: 1,
  },
  { arbitrary: fc.record({ k: fc.constant("fork" as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("exit" as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("switch" as const), i: fc.nat() }), weight: 1 },
);

/** A file's contents as read(2) would see them, without touching the machine. */
function contents(m: Machine, inode: Inode): Uint8Array {
  const out = new Uint8Array(inode.size);
  for (let i = 0; i * PG < inode.size; i++) {
    const pfn = inode.pages.get(i);
    const bytes = pfn !== undefined ? m.frames.peekBytes(pfn) : inode.blocks?.read(i);
    if (bytes !== undefined) out.set(bytes.subarray(0, Math.min(PG, inode.size - i * PG)), i * PG);
  }
  return out;
}

const succeeded: Record<string, number> = {};
function count(kind: string, ok: boolean) {
  if (ok) succeeded[kind] = (succeeded[kind] ?? 0) + 1;
}

function run(m: Machine, cur: Process, fds: number[], o: Op): Process {
  const at = (s: number, page = 0) => BigInt(BASE + s * 0x100000 + page * PG);
  const sys = (name: string, ...args: unknown[]) => syscall(cur, name, args).ret;
  // Operations on a slot aim at the VMA mapped there, if any.
  const vmaAt = (s: number) => cur.mm.vmas.lookup(BASE + s * 0x100000);
  switch (o.k) {
    case "mmap": {
      const flags = (o.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED;
      const r = sys("mmap", at(o.slot), BigInt(o.n * PG), o.prot, flags, fds[o.file], o.off * PG);
      count("mmap", r > 0);
      break;
    }
    case "munmap":
      count("munmap", sys("munmap", at(o.slot), 0x100000n) === 0);
      break;
    case "read": {
      const v = vmaAt(o.slot);
      if (v) count("read", cpuRead(cur, at(o.slot, o.page % v.pages), 1).sig === undefined);
      break;
    }
    case "write": {
      const v = vmaAt(o.slot);
      const a = v ? at(o.slot, o.page % v.pages) + 8n : 0n;
      if (v) count("write", cpuWrite(cur, a, new Uint8Array([o.v])).sig === undefined);
      break;
    }
    case "pread":
      count("pread", sys("pread", fds[o.file], "", o.n, o.off) > 0);
      break;
    case "pwrite":
      count("pwrite", sys("pwrite", fds[o.file], new Uint8Array(o.n).fill(o.v), o.n, o.off) > 0);
      break;
    case "msync": {
      const v = vmaAt(o.slot);
      if (v) count("msync", sys("msync", BigInt(v.start), BigInt(v.end - v.start), MS_SYNC) === 0);
      break;
    }
    case "madvise": {
      const v = vmaAt(o.slot);
      if (!v) break;
      const page = o.page % v.pages;
      const n = Math.min(o.n, v.pages - page);
      count(
        `madvise-${o.advice}`,
        sys("madvise", at(o.slot, page), BigInt(n * PG), o.advice) === 0,
      );
      break;
    }
    case "truncate":
      count("truncate", sys("ftruncate", fds[o.file], o.size) === 0);
      break;
    case "punch":
      count(
        "punch",
        sys("fallocate", fds[o.file], FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, o.off, o.n) ===
          0,
      );
      break;
    case "alloc":
      count(
        "alloc",
        sys("fallocate", fds[o.file], o.keep ? FALLOC_FL_KEEP_SIZE : 0, o.off, o.n) === 0,
      );
      break;
    case "fork":
      if (m.procs.size < 5) count("fork", sys("fork") > 1);
      break;
    case "exit":
      if (cur.pid !== 1) {
        sys("exit", 0);
        count("exit", true);
        return m.init;
      }
      break;
    case "switch": {
      const live = [...m.procs.values()].filter((p) => p.alive);
      return live[o.i % live.length];
    }
  }
  return cur;
}

Deno.test("page cache and disk: invariants hold and non-writing operations keep file contents", () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 50, size: "max" }), (ops) => {
      const m = new Machine({ ramBytes: 64 << 20 });
      const p = m.init;
      installStdio(p);
      const free0 = m.frames.freeCount;
      const fds = [
        syscall(p, "open", ["/tmp/a", O_RDWR | O_CREAT, 0o644]).ret,
        syscall(p, "open", ["/tmp/b", O_RDWR | O_CREAT, 0o644]).ret,
        syscall(p, "memfd_create", ["m", 0]).ret,
      ];
      for (const fd of fds) syscall(p, "ftruncate", [fd, FILE_PAGES * PG]);
      const inodes = fds.map((fd) => p.fds[fd]!.inode);
      let cur: Process = p;
      for (const [i, o] of ops.entries()) {
        const before = inodes.map((ino) => contents(m, ino));
        cur = run(m, cur, fds, o);
        assert.deepEqual(
          checkInvariants(m, { merged: false }),
          [],
          `after step ${i} ${JSON.stringify(o)}`,
        );
        if (WRITES.has(o.k)) continue;
        // MADV_DONTNEED and munmap of a shared mapping only drop PTEs; a
        // private mapping's writes never reach the file.
        inodes.forEach((ino, j) => {
          assert.deepEqual(
            contents(m, ino),
            before[j],
            `file ${j} changed by step ${i} ${JSON.stringify(o)}`,
          );
        });
      }
      for (const q of [...m.procs.values()].reverse()) if (q.alive) syscall(q, "exit", [0]);
      syscall(p, "unlink", ["/tmp/a"]);
      syscall(p, "unlink", ["/tmp/b"]);
      assert.equal(m.frames.freeCount, free0, "frames leaked after everything was released");
    }),
    { numRuns: 200 },
  );
  for (
    const k of ["mmap", "read", "write", "pread", "pwrite", "msync", "fork", "truncate", "alloc"]
  ) {
    assert.ok((succeeded[k] ?? 0) > 0, `no successful ${k}: ${JSON.stringify(succeeded)}`);
  }
  assert.ok((succeeded[`madvise-${MADV_PAGEOUT}`] ?? 0) > 0, "no successful MADV_PAGEOUT");
});
