/**
 * Files that are memory (issue 11, devices.md §1.2): the DAX filesystem on
 * pmem, device-dax, the LIFO block allocator, long-term pins of fsdax by
 * era, and truncate/punch against pinned blocks under each
 * dax.truncateWithPin design.
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  holdUserPages,
  Machine,
  type MachineConfig,
  pinUserPages,
  type Process,
  releaseHeldPages,
  syscall,
} from "../../mod.ts";
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { FOLL_LONGTERM, FOLL_WRITE } from "../../lib/mm/gup.ts";
import { EINTR, EINVAL, EOPNOTSUPP, ETXTBSY } from "../../lib/abi/errno.ts";
import { SIGIO, SIGKILL, SIGUSR1 } from "../../lib/abi/signal.ts";
import { mapsLines } from "../../lib/proc/maps.ts";
import { renderSmapsEntry, smapsEntries } from "../../lib/proc/smaps.ts";
import { PmemBlocks } from "../../lib/fs/dax.ts";
import type { MmuNotifierRange } from "../../lib/mm/mmu_notifier.ts";
import { dmaWriteHeld } from "../../lib/mm/pinned_dma.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) => new TextDecoder().decode(b);

function dax(policies: MachineConfig["policies"] = {}, preset = "linux-6.18"): Machine {
  return new Machine({ pmemBytes: 16 << 20, preset, policies });
}

/** A 4 KiB DAX file mapped shared in `p`, holding "app data"; returns [fd, addr]. */
function mapped(p: Process, path: string): [number, number] {
  const fd = syscall(p, "open", [path, O_RDWR | O_CREAT, 0o644]).ret;
  assert.equal(syscall(p, "ftruncate", [fd, 4096]).ret, 0);
  const a = syscall(p, "mmap", [0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0]).ret;
  cpuWrite(p, a, enc("app data"));
  return [fd, a];
}

/** The RDMA program's registration: a long-term write pin it keeps. */
function pin(p: Process, a: number): number {
  const r = pinUserPages(p.mm, a, 1, FOLL_WRITE | FOLL_LONGTERM);
  holdUserPages(p.mm, r.pages);
  return r.err !== 0 ? r.err : r.pages[0].pfn;
}

/** 4.14-era pins with one truncate design. */
function era(policy: string): Machine {
  return dax({ "dax.truncateWithPin": policy }, "linux-4.14");
}

Deno.test("dax: pmem in /proc/iomem, files map their pmem blocks (103:01, hg), no page cache", () => {
  const m = dax();
  assert.deepEqual(m.iomem.text().slice(1, 4), [
    "40000000-40ffffff : Persistent Memory",
    "  40000000-40bfffff : namespace0.0",
    "  40c00000-40ffffff : namespace0.1",
  ]);
  const p = m.init;
  const [fd, a] = mapped(p, "/mnt/pmem/f");
  const line = mapsLines(p).find((l) => l.endsWith("/mnt/pmem/f"))!;
  assert.match(line, /rw-s 00000000 103:01 \d+ +\/mnt\/pmem\/f$/);
  const smaps = smapsEntries(p).map(renderSmapsEntry).find((e) => e[0] === line)!;
  assert.equal(smaps.at(-1), "VmFlags: rd wr sh mr mw me ms hg ");
  const pfn = p.mm.pt.pfnAt(a / 4096);
  assert.ok(m.frames.isPmem(pfn) && m.frames.kind(pfn) === "pmem");
  const inode = m.fs.lookup("/mnt/pmem/f")!;
  assert.ok(inode.dax);
  assert.equal(inode.pages.size, 0);
  // read(2) and the mapping see the same block.
  assert.equal(dec(syscall(p, "pread", [fd, new Uint8Array(0), 8, 0]).data), "app data");
  syscall(p, "pwrite", [fd, "DATA", 4, 0]);
  assert.equal(dec(cpuRead(p, a, 4).bytes), "DATA");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("dax: the block allocator hands out the block freed last first", () => {
  const b = new PmemBlocks(100, 4);
  const x = b.alloc(1, 0), y = b.alloc(1, 1);
  assert.deepEqual([x, y], [100, 101]);
  b.release(x);
  assert.equal(b.alloc(2, 0), 100);
  assert.throws(() => b.release(102), /freed twice/);
});

Deno.test("dax: FOLL_LONGTERM on fsdax is EOPNOTSUPP from 4.15; device-dax is not fsdax", () => {
  const now = dax();
  const [, a] = mapped(now.init, "/mnt/pmem/f");
  assert.equal(pin(now.init, a), -EOPNOTSUPP);
  // A short-term pin is fine.
  assert.equal(pinUserPages(now.init.mm, a, 1, FOLL_WRITE).pages.length, 1);
  const old = dax({}, "linux-4.14");
  const [, b] = mapped(old.init, "/mnt/pmem/f");
  assert.ok(pin(old.init, b) > 0);
  // /dev/dax0.0: MAP_SHARED only, long-term pins allowed.
  const p = now.init;
  const fd = syscall(p, "open", ["/dev/dax0.0", O_RDWR]).ret;
  assert.equal(
    syscall(p, "mmap", [0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0]).ret,
    -EINVAL,
  );
  const d = syscall(p, "mmap", [0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0]).ret;
  cpuWrite(p, d, enc("x"));
  assert.equal(p.mm.pt.pfnAt(d / 4096), now.pmem!.devdaxFirst);
  assert.ok(pin(p, d) > 0);
  assert.deepEqual(checkInvariants(now), []);
});

Deno.test("dax: truncate unmaps the file from every process, and mmu notifiers hear it", () => {
  const m = dax();
  const p = m.init;
  const [fd, a] = mapped(p, "/mnt/pmem/f");
  const seen: MmuNotifierRange[] = [];
  p.mm.notifiers.push({ invalidateStart: (r) => seen.push(r) });
  assert.equal(syscall(p, "ftruncate", [fd, 0]).ret, 0);
  assert.equal(p.mm.pt.bitsAt(a / 4096), 0);
  assert.deepEqual(seen.map((r) => [r.start, r.end, r.event]), [[a, a + 4096, "CLEAR"]]);
  assert.equal(m.pmem!.blocks.freeCount, m.pmem!.blocks.count);
});

Deno.test("dax.truncateWithPin=corrupt: the freed block goes to the next file; the DMA lands there", () => {
  const m = era("corrupt");
  const app = m.init;
  const [, a] = mapped(app, "/mnt/pmem/mr");
  const pfn = pin(app, a);
  const admin = m.process(syscall(app, "fork", []).ret)!;
  const f = syscall(admin, "open", ["/mnt/pmem/mr", O_RDWR]).ret;
  assert.equal(syscall(admin, "ftruncate", [f, 0]).ret, 0);
  const j = syscall(admin, "open", ["/mnt/pmem/journal", O_RDWR | O_CREAT, 0o644]).ret;
  syscall(admin, "pwrite", [j, "journal entry", 13, 0]);
  assert.equal(m.fs.lookup("/mnt/pmem/journal")!.priv !== null, true);
  assert.equal(dmaWriteHeld(app.mm, a, enc("RDMA payload")), 12);
  assert.equal(dec(syscall(admin, "pread", [j, new Uint8Array(0), 13, 0]).data), "RDMA payloady");
  assert.equal(app.mm.gupHeld[0].pfn, pfn);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("dax.truncateWithPin=block: ext4_wait_dax_page until the pin drops; EINTR on a signal", () => {
  const m = era("block");
  const app = m.init;
  const [, a] = mapped(app, "/mnt/pmem/mr");
  pin(app, a);
  const admin = m.process(syscall(app, "fork", []).ret)!;
  const f = syscall(admin, "open", ["/mnt/pmem/mr", O_RDWR]).ret;
  const r = syscall(admin, "ftruncate", [f, 0]);
  assert.ok(r.pending !== undefined);
  assert.equal(admin.leader.state, "sleeping");
  assert.equal(admin.leader.wchan, "ext4_wait_dax_page");
  // Time alone does not end it.
  m.sched.advanceTo(m.clock.ns + 100e9);
  assert.equal(admin.leader.wchan, "ext4_wait_dax_page");
  // A caught signal: EINTR.
  const ends: (number | null)[] = [];
  const from = m.events.end;
  assert.equal(syscall(app, "kill", [admin.pid, SIGUSR1]).ret, 0);
  for (const e of m.events.since(from).events) if (e.kind === "resume") ends.push(e.ret);
  assert.deepEqual(ends, [-EINTR]);
  // Again, then the pin drops: the truncate completes.
  assert.ok(syscall(admin, "ftruncate", [f, 0]).pending !== undefined);
  const from2 = m.events.end;
  releaseHeldPages(app.mm, a, 1);
  m.sched.tick();
  const done = m.events.since(from2).events.filter((e) => e.kind === "resume");
  assert.deepEqual(done.map((e) => e.kind === "resume" && e.ret), [0]);
  assert.equal(m.fs.lookup("/mnt/pmem/mr")!.size, 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("dax.truncateWithPin=block: a file mapped nowhere is not waited for (up to 6.18)", () => {
  const m = era("block");
  const p = m.init;
  const [fd, a] = mapped(p, "/mnt/pmem/mr");
  const pfn = pin(p, a);
  syscall(p, "munmap", [a, 4096]);
  assert.equal(syscall(p, "ftruncate", [fd, 0]).ret, 0);
  assert.ok(m.pmem!.blocks.isFree(pfn));
  assert.equal(m.frames.refcount[pfn] > 0, true);
});

Deno.test("dax: punching a hole breaks the layouts of the whole file", () => {
  const m = era("block");
  const p = m.init;
  const fd = syscall(p, "open", ["/mnt/pmem/f", O_RDWR | O_CREAT, 0o644]).ret;
  syscall(p, "ftruncate", [fd, 8192]);
  const a = syscall(p, "mmap", [0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0]).ret;
  cpuWrite(p, a, enc("0"));
  cpuWrite(p, a + 4096, enc("1"));
  pin(p, a);
  const r = syscall(p, "fallocate", [fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 4096]);
  assert.ok(r.pending !== undefined, "the pin on page 0 holds a punch of page 1");
});

Deno.test("dax.truncateWithPin=fail-etxtbsy: ETXTBSY, the data stays", () => {
  const m = dax({}, "rfc-2019-dax-lease");
  const p = m.init;
  const [fd, a] = mapped(p, "/mnt/pmem/mr");
  assert.equal(pin(p, a), -EOPNOTSUPP);
  assert.equal(syscall(p, "fcntl", [fd, 1024, 0 | 16]).ret, 0); // F_RDLCK|F_LAYOUT
  assert.ok(pin(p, a) > 0);
  assert.equal(syscall(p, "ftruncate", [fd, 0]).ret, -ETXTBSY);
  assert.equal(dec(syscall(p, "pread", [fd, new Uint8Array(0), 8, 0]).data), "app data");
});

Deno.test("dax.truncateWithPin=notify-kill: SIGIO, lease-break-time, then SIGKILL", () => {
  const m = era("notify-kill");
  m.sysctl.leaseBreakTime = 5;
  const app = m.init;
  const [, a] = mapped(app, "/mnt/pmem/mr");
  pin(app, a);
  const admin = m.process(syscall(app, "fork", []).ret)!;
  const f = syscall(admin, "open", ["/mnt/pmem/mr", O_RDWR]).ret;
  const start = m.clock.ns;
  assert.ok(syscall(admin, "ftruncate", [f, 0]).pending !== undefined);
  assert.deepEqual(app.signals.map((s) => s.signo), [SIGIO]);
  m.sched.advanceTo(start + 4e9);
  assert.ok(app.alive);
  m.sched.advanceTo(start + 6e9);
  assert.equal(app.alive, false);
  assert.deepEqual(app.signals.map((s) => s.signo), [SIGIO, SIGKILL]);
  assert.equal(admin.leader.state, "running");
  assert.equal(m.fs.lookup("/mnt/pmem/mr")!.size, 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("dax.truncateWithPin=redirect: the pin moves to a scratch page; its writes are lost", () => {
  const m = era("redirect");
  const p = m.init;
  const [fd, a] = mapped(p, "/mnt/pmem/mr");
  const pfn = pin(p, a);
  assert.equal(syscall(p, "ftruncate", [fd, 0]).ret, 0);
  const scratch = p.mm.gupHeld[0].pfn;
  assert.notEqual(scratch, pfn);
  assert.ok(!m.frames.isPmem(scratch));
  assert.equal(m.frames.refcount[pfn], 0);
  const j = syscall(p, "open", ["/mnt/pmem/journal", O_RDWR | O_CREAT, 0o644]).ret;
  syscall(p, "pwrite", [j, "journal entry", 13, 0]);
  dmaWriteHeld(p.mm, a, enc("RDMA payload"));
  assert.equal(dec(syscall(p, "pread", [j, new Uint8Array(0), 13, 0]).data), "journal entry");
  assert.deepEqual(checkInvariants(m), []);
  releaseHeldPages(p.mm, a, 1);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("dax: SEEK_DATA/SEEK_HOLE follow the block map; unlink + close frees the blocks", () => {
  const m = dax();
  const p = m.init;
  const fd = syscall(p, "open", ["/mnt/pmem/s", O_RDWR | O_CREAT, 0o644]).ret;
  syscall(p, "ftruncate", [fd, 4 * 4096]);
  syscall(p, "pwrite", [fd, "x", 1, 2 * 4096]);
  assert.equal(syscall(p, "lseek", [fd, 0, 3]).ret, 2 * 4096); // SEEK_DATA
  assert.equal(syscall(p, "lseek", [fd, 2 * 4096, 4]).ret, 3 * 4096); // SEEK_HOLE
  const free = m.pmem!.blocks.freeCount;
  assert.equal(syscall(p, "unlink", ["/mnt/pmem/s"]).ret, 0);
  assert.equal(m.pmem!.blocks.freeCount, free);
  syscall(p, "close", [fd]);
  assert.equal(m.pmem!.blocks.freeCount, free + 1);
  assert.deepEqual(checkInvariants(m), []);
});
