/**
 * The machine's invariants, checked from scratch: what must hold after
 * every operation, whatever the operation was. Property tests run random
 * operation sequences and call {@link checkInvariants} after each step;
 * the REPL's `check` command prints the result.
 *
 * 1. Each mm's VMA tree is well formed: sorted, non-overlapping, aligned,
 *    linked both ways, counted right.
 * 2. map_count <= max_map_count + 1; and, with `merged` (the default), no
 *    two adjacent VMAs could have been merged (mm/vma.c rules). That second
 *    half is not a law of Linux: the kernel itself leaves mergeable
 *    neighbours apart after some operations (a whole-VMA MREMAP_DONTUNMAP
 *    drops the source's anon_vma, and nothing re-merges it until the next
 *    change: seen on 6.18.44). Property tests over mmap/munmap/mprotect/fork,
 *    where Linux does keep VMAs maximally merged, check it; the REPL's
 *    `check` does not.
 * 3. Every non-none PTE lies inside a VMA.
 * 4. Every frame's mapcount equals the PTEs mapping it, and its refcount
 *    equals mappings + page-cache reference + 1024 per FOLL_PIN pin + the
 *    references drivers hold (RDMA dummy pages: lib/drivers/rdma heldPages):
 *    no frame is leaked or freed while in use.
 * 5. A writable PTE in a private mapping maps an exclusive anonymous page
 *    (otherwise a write would leak into a page another process sees).
 * 6. The page cache and the disk agree: a page-cache page mapped by a PTE
 *    is uptodate; a clean page of a regular file holds exactly its block
 *    on disk (zeros for a hole), so dropping it loses nothing; page-cache
 *    flags (uptodate, readahead) sit only on page-cache frames; a page
 *    queued for deactivation is on the machine's lru_deactivate batch.
 * 7. Tasks and the scheduler (lib/sched): every task is its group's and
 *    is found by its tid; a sleeping task (S, D) is on exactly one wait
 *    queue, with a wait channel and a blocked call; a running task is on
 *    none; the scheduler's sleepers are exactly the sleeping tasks (a
 *    reaped thread is not left asleep); a zombie is neither queued nor
 *    runnable, and only a group leader
 *    stays a zombie (other threads are reaped); the run queue holds running
 *    tasks only, once each; each live mm's users count is the number of
 *    live tasks using it.
 * 8. userfaultfd: a VMA carries a context exactly when it has a uffd flag
 *    (um, uw, ui), and that context is live (not released) and on the
 *    VMA's mm; a thread with a userfault wait sleeps in handle_userfault
 *    on the queue of a context not released; every unread message of a
 *    context belongs to one of its waiting threads. In a registered VMA
 *    every PTE marker is well formed (a uffd-wp marker is PTE_MARKER |
 *    PTE_UFFD_WP, a guard or poison one PTE_MARKER alone), and in a
 *    MODE_WP VMA no present uffd-wp PTE is writable (pte_mkuffd_wp
 *    write-protects; only its resolution makes the page writable).
 * 9. RDMA (lib/drivers/rdma/check.ts): tracked BAR mappings are live
 *    VMAs of their file; live MRs and queue buffers keep their pins and
 *    pinned_vm counts them.
 * 10. Devices (lib/check/devices.ts): the PCI bus, BARs in /proc/iomem,
 *    SR-IOV links, bound drivers, IOMMU domains, DMA queues.
 * 11. Frame bytes (lib/phys/frames.ts): each frame's byte state is well
 *    formed (none, all, some chunks, or one uniform value 1..255), the
 *    materialized count is right, and the zero page holds no bytes.
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Mm } from "../mm/mm.ts";
import type { Vma } from "../mm/vma.ts";
import type { Inode } from "../fs/inode.ts";
import type { Task } from "../proc/task.ts";
import { UserfaultfdCtx } from "../fs/userfaultfd.ts";
import { daxInode } from "../fs/dax.ts";
import type { KnobValue } from "../policy.ts";
import { checkRdma } from "../drivers/rdma/check.ts";
import { checkDevices } from "./devices.ts";
import { WCHAN_UFFD_EVENT, WCHAN_USERFAULT } from "../mm/userfaultfd_k.ts";
import { vfioInvariants } from "../drivers/vfio/check.ts";
import {
  any,
  clear,
  combine,
  has,
  VM_IGNORE_MERGE,
  VM_MIXEDMAP,
  VM_PFNMAP,
  VM_SHARED,
  VM_SPECIAL,
  VM_UFFD_MINOR,
  VM_UFFD_MISSING,
  VM_UFFD_WP,
  xor,
} from "../mm/vm_flags.ts";
import {
  MARKER_GUARD,
  MARKER_HWPOISON,
  MARKER_POISON,
  MARKER_UFFD_WP,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_SPECIAL,
  PTE_UFFD_WP,
  PTE_WRITE,
} from "../mm/pagetable.ts";
import { checkNotifiers } from "./notifiers.ts";
import {
  GUP_PIN_COUNTING_BIAS,
  PG_ANON,
  PG_ANON_EXCLUSIVE,
  PG_DIRTY,
  PG_FILE,
  PG_HWPOISON,
  PG_LRU_DEACTIVATE,
  PG_READAHEAD,
  PG_RESERVED,
  PG_UPTODATE,
} from "../phys/frames.ts";

function hex(n: number): string {
  return "0x" + n.toString(16);
}

/** Whether the kernel would merge two adjacent VMAs (is_mergeable_vma + anon rules + pgoff). */
export function couldMerge(a: Vma, b: Vma): boolean {
  if (a.end !== b.start) return false;
  if (a.flags % 2 ** 32 & VM_SPECIAL || b.flags % 2 ** 32 & VM_SPECIAL) return false;
  if (clear(xor(a.flags, b.flags), VM_IGNORE_MERGE) !== 0) return false;
  if (a.file !== b.file || a.uffd !== b.uffd || a.anonName !== b.anonName) return false;
  if (a.ops?.close || b.ops?.close) return false;
  if (a.pgoff + a.pages !== b.pgoff) return false;
  if (a.anonVma !== null && b.anonVma !== null) return a.anonVma === b.anonVma;
  if (a.anonVma !== null) return !a.forkChild;
  if (b.anonVma !== null) return !b.forkChild;
  return true;
}

/** The distinct live address spaces of the machine, with one owner pid each. */
function liveMms(m: Machine): Map<Mm, number> {
  const out = new Map<Mm, number>();
  for (const p of m.procs.values()) if (p.alive && !out.has(p.mm)) out.set(p.mm, p.pid);
  return out;
}

/** What `checkInvariants` reports. */
export interface InvariantOptions {
  /** Report adjacent VMAs that could have been merged (default true). */
  merged?: boolean;
}

/** Invariant 7: tasks, wait queues, the run queue and mm users. */
function checkTasks(m: Machine, errs: string[]): void {
  const users = new Map<Mm, number>();
  const seen = new Set<Task>();
  for (const p of m.procs.values()) {
    p.threads.forEach((t, i) => {
      const where = `pid ${p.pid} tid ${t.tid}`;
      if (t.group !== p) errs.push(`${where}: listed in a group it is not of`);
      if ((i === 0) !== (t.tid === p.pid)) errs.push(`${where}: the leader is not first`);
      if (m.tasks.get(t.tid) !== t) errs.push(`${where}: not found by its tid`);
      seen.add(t);
      const asleep = t.state === "sleeping" || t.state === "disk";
      if (asleep) {
        const wq = t.waitQueue;
        const on = wq === null ? 0 : wq.waiters.filter((x) => x === t).length;
        if (on !== 1) errs.push(`${where}: asleep but on ${on} places of its wait queue`);
        if (t.wchan === null) errs.push(`${where}: asleep without a wait channel`);
        if (t.blocked === null) errs.push(`${where}: asleep without a blocked call`);
      } else if (t.waitQueue !== null) {
        errs.push(`${where}: ${t.state} but on wait queue ${t.waitQueue.what}`);
      }
      if (!t.alive) {
        if (t.blocked !== null || t.wchan !== null) errs.push(`${where}: a zombie still blocked`);
        if (!t.leader) errs.push(`${where}: a zombie thread was not reaped`);
      }
      if (t.alive && p.alive) users.set(p.mm, (users.get(p.mm) ?? 0) + 1);
      if (t.alive && !p.alive) errs.push(`${where}: alive in a dead process`);
    });
  }
  for (const [tid, t] of m.tasks) {
    if (!seen.has(t)) errs.push(`tid ${tid}: a task in no group`);
  }
  for (const t of m.sched.sleepers) {
    const asleep = t.state === "sleeping" || t.state === "disk";
    if (!asleep || m.tasks.get(t.tid) !== t) {
      errs.push(`tid ${t.tid}: counted asleep but ${m.tasks.has(t.tid) ? t.state : "reaped"}`);
    }
  }
  for (const t of m.tasks.values()) {
    if ((t.state === "sleeping" || t.state === "disk") && !m.sched.sleepers.has(t)) {
      errs.push(`tid ${t.tid}: asleep but not counted asleep`);
    }
  }
  const rq = m.sched.runqueue;
  rq.forEach((t, i) => {
    if (t.state !== "running") errs.push(`tid ${t.tid}: ${t.state} on the run queue`);
    if (rq.indexOf(t) !== i) errs.push(`tid ${t.tid}: twice on the run queue`);
  });
  for (const [mm, n] of users) {
    if (mm.users !== n) errs.push(`mm ${mm.id}: mm_users ${mm.users}, ${n} live tasks use it`);
  }
}

/** Invariant 8, the PTEs of a registered VMA: well-formed markers, no writable uffd-wp PTE. */
function checkUffdPtes(mm: Mm, v: Vma, pid: number, errs: string[]): void {
  const wp = has(v.flags, VM_UFFD_WP);
  mm.pt.forEachTable(v.start / 4096, v.end / 4096, (t, base, lo, hi) => {
    for (let i = lo; i < hi; i++) {
      const b = t.bits[i];
      if (b === 0) continue;
      const at = `pid ${pid}: ${v} PTE at 0x${((base + i) * 4096).toString(16)}`;
      if (!(b & PTE_PRESENT)) {
        if (!(b & PTE_MARKER)) continue;
        const kind = t.pfn[i];
        const ok = kind === MARKER_UFFD_WP
          ? b === (PTE_MARKER | PTE_UFFD_WP)
          : (kind === MARKER_GUARD || kind === MARKER_POISON || kind === MARKER_HWPOISON) &&
            b === PTE_MARKER;
        if (!ok) errs.push(`${at}: malformed marker (bits 0x${b.toString(16)}, kind ${kind})`);
      } else if (wp && (b & PTE_UFFD_WP) && (b & PTE_WRITE)) {
        errs.push(`${at}: uffd-wp but writable`);
      }
    }
  });
}

/** Invariant 8: userfaultfd contexts, registered VMAs and waiting threads. */
function checkUserfaults(m: Machine, errs: string[]): void {
  const UFFD_FLAGS = combine(VM_UFFD_MISSING, VM_UFFD_WP, VM_UFFD_MINOR);
  const ctxs = new Set<UserfaultfdCtx>();
  for (const [mm, pid] of liveMms(m)) {
    for (let v = mm.vmas.first; v !== null; v = v.next) {
      const flagged = any(v.flags, UFFD_FLAGS);
      if (flagged !== (v.uffd !== null)) {
        errs.push(
          `pid ${pid}: ${v} has ${flagged ? "uffd flags but no" : "a uffd context but no"}` +
            (flagged ? " context" : " uffd flag"),
        );
      }
      const c = v.uffd;
      if (c === null) continue;
      if (!(c instanceof UserfaultfdCtx)) continue; // another subscriber kind (the 2014 RFC)
      if (c.released) errs.push(`pid ${pid}: ${v} points to released uffd ${c.id}`);
      if (c.mm !== mm) errs.push(`pid ${pid}: ${v} points to uffd ${c.id} of another mm`);
      ctxs.add(c);
      checkUffdPtes(mm, v, pid, errs);
    }
  }
  // Non-cooperative events: each unread one's sender waits for it, and
  // mmap_changing counts at least the unread ones.
  for (const q of m.procs.values()) {
    if (!q.alive) continue;
    for (const f of q.fds) {
      const c = f?.inode.priv;
      if (!(c instanceof UserfaultfdCtx)) continue;
      if (c.mmapChanging < c.events.length) {
        errs.push(
          `uffd ${c.id}: mmap_changing ${c.mmapChanging} < ${c.events.length} unread events`,
        );
      }
      for (const e of c.events) {
        const t = m.tasks.get(e.tid);
        if (t === undefined || t.wchan !== WCHAN_UFFD_EVENT || t.waitQueue !== c.eventWq) {
          errs.push(`uffd ${c.id}: an event of tid ${e.tid}, which does not wait for it`);
        }
      }
    }
  }
  for (const t of m.tasks.values()) {
    if (t.wchan === WCHAN_UFFD_EVENT && t.uffdEvents.length === 0) {
      errs.push(`tid ${t.tid}: waits for a uffd event but sent none`);
    }
  }
  const waiting = new Map<number, Task>();
  for (const t of m.tasks.values()) {
    const uf = t.userfault;
    if (uf === null) continue;
    if (t.wchan !== WCHAN_USERFAULT) {
      errs.push(`tid ${t.tid}: a userfault wait but wchan ${t.wchan ?? "-"}`);
    }
    if (t.waitQueue !== uf.wq) {
      errs.push(`tid ${t.tid}: waits for uffd ${uf.ctx.id} on another queue`);
    }
    if (uf.ctx.released) errs.push(`tid ${t.tid}: waits for released uffd ${uf.ctx.id}`);
    waiting.set(t.tid, t);
  }
  for (const c of ctxs) {
    for (const e of c.pending) {
      const t = waiting.get(e.tid);
      if (t === undefined || t.userfault!.ctx !== c) {
        errs.push(`uffd ${c.id}: a message of tid ${e.tid}, which does not wait for it`);
      }
    }
  }
}

/** Returns a list of violations (empty when everything holds). */
export function checkInvariants(m: Machine, opts: InvariantOptions = {}): string[] {
  const merged = opts.merged ?? true;
  const errs: string[] = [];
  const frames = m.frames;
  const maps = new Int32Array(frames.nframes);
  const inodes = new Set<Inode>(m.fs.names.values());
  for (const [mm, pid] of liveMms(m)) {
    const where = `pid ${pid}`;
    const t = mm.vmas.check();
    if (t !== null) errs.push(`${where}: VMA tree: ${t}`);
    checkNotifiers(m, mm, where, errs);
    if (mm.mapCount > m.sysctl.maxMapCount + 1) {
      errs.push(`${where}: map_count ${mm.mapCount} over the limit`);
    }
    for (let v = mm.vmas.first; v !== null; v = v.next) {
      if (v.file !== null) inodes.add(v.file.inode);
      if (merged && v.next !== null && couldMerge(v, v.next)) {
        errs.push(`${where}: ${v} and ${v.next} should have been merged`);
      }
    }
    // PTEs: inside a VMA; count mappings per frame; COW safety.
    let v: Vma | null = mm.vmas.first;
    mm.pt.forEachTable(0, 2 ** 35, (tab, base, lo, hi) => {
      for (let i = lo; i < hi; i++) {
        const b = tab.bits[i];
        if (b === 0) continue;
        const addr = (base + i) * 4096;
        while (v !== null && v.end <= addr) v = v.next;
        if (v === null || v.start > addr) {
          errs.push(`${where}: PTE at ${hex(addr)} outside every VMA`);
          continue;
        }
        if (!(b & PTE_PRESENT)) continue;
        const pfn = tab.pfn[i];
        if (!m.iomem.pfnValid(pfn)) {
          // Past RAM: only a special PTE of a VM_PFNMAP/VM_MIXEDMAP VMA, to a device range.
          if (!(b & PTE_SPECIAL) || !(v.flags & (VM_PFNMAP | VM_MIXEDMAP))) {
            errs.push(
              `${where}: PTE at ${hex(addr)} maps pfn ${hex(pfn)} past RAM outside a PFN map`,
            );
          } else if (m.iomem.lookup(pfn * 4096) === null) {
            errs.push(`${where}: PTE at ${hex(addr)} maps pfn ${hex(pfn)}, in no iomem range`);
          }
          continue;
        }
        if (b & PTE_SPECIAL) continue;
        if (frames.isFree(pfn)) {
          errs.push(`${where}: PTE at ${hex(addr)} maps free pfn ${hex(pfn)}`);
          continue;
        }
        maps[pfn]++;
        if ((frames.flags[pfn] & PG_FILE) && !(frames.flags[pfn] & PG_UPTODATE)) {
          errs.push(`${where}: PTE at ${hex(addr)} maps pfn ${hex(pfn)}, not uptodate`);
        }
        if ((b & PTE_WRITE) && !(v.flags & VM_SHARED)) {
          const f = frames.flags[pfn];
          if (!(f & PG_ANON) || !(f & PG_ANON_EXCLUSIVE)) {
            errs.push(
              `${where}: writable private PTE at ${hex(addr)} maps a non-exclusive page ${
                hex(pfn)
              }`,
            );
          }
        }
      }
    });
  }
  for (const p of m.procs.values()) {
    if (!p.alive) continue;
    for (const f of p.fds) if (f !== undefined) inodes.add(f.inode);
  }
  const cached = new Uint8Array(frames.nframes);
  for (const ino of inodes) {
    for (const [index, pfn] of ino.pages) {
      cached[pfn]++;
      if (!(frames.flags[pfn] & PG_FILE) || frames.owner[pfn] !== ino.ino) {
        errs.push(`inode ${ino.ino}: page ${index} -> pfn ${hex(pfn)} is not its page-cache page`);
      }
      if (frames.index[pfn] !== index) {
        errs.push(
          `inode ${ino.ino}: page ${index} -> pfn ${hex(pfn)} has index ${frames.index[pfn]}`,
        );
      }
      if (ino.blocks !== null && !(frames.flags[pfn] & PG_DIRTY)) {
        const err = cleanPageMismatch(frames.peekBytes(pfn), ino.blocks.read(index));
        if (err !== null) {
          errs.push(
            `inode ${ino.ino}: clean page ${index} differs from its block on disk (${err})`,
          );
        }
      }
    }
  }
  const queued = new Set(m.lruDeactivate);
  // References drivers hold (RDMA dummy pages, plain-reference umem pages).
  const driverHeld = new Int32Array(frames.nframes);
  for (const pfn of m.rdma.heldPages()) driverHeld[pfn]++;
  for (let pfn = 0; pfn < frames.nframes; pfn++) {
    const fl = frames.flags[pfn];
    if (fl & PG_RESERVED) continue;
    if ((fl & (PG_UPTODATE | PG_READAHEAD)) && !(fl & PG_FILE)) {
      errs.push(`pfn ${hex(pfn)}: page-cache flags on a page outside the page cache`);
    }
    if ((fl & PG_LRU_DEACTIVATE) && !queued.has(pfn)) {
      errs.push(`pfn ${hex(pfn)}: queued for deactivation but not on the batch`);
    }
    const rc = frames.refcount[pfn];
    if (rc === 0) {
      if (maps[pfn] || cached[pfn]) errs.push(`pfn ${hex(pfn)} is free but in use`);
      continue;
    }
    if (frames.mapcount[pfn] !== maps[pfn]) {
      errs.push(`pfn ${hex(pfn)}: mapcount ${frames.mapcount[pfn]} but ${maps[pfn]} PTEs map it`);
    }
    // Every reference is a mapping, the page cache, a pin (the 1024 bias) or a GUP get.
    const gets = frames.gupGets.get(pfn) ?? 0;
    const want = maps[pfn] + cached[pfn] + frames.pincount[pfn] * GUP_PIN_COUNTING_BIAS + gets +
      driverHeld[pfn];
    if (rc !== want) {
      errs.push(
        `pfn ${hex(pfn)}: refcount ${rc} but ${maps[pfn]} mappings, ${cached[pfn]} cache, ${
          frames.pincount[pfn]
        } pins, ${gets} gets${want === 0 ? " (leaked)" : ""}`,
      );
    }
    // page_maybe_dma_pinned() never misses a pin: a pinned page's refcount carries the bias.
    if (frames.pincount[pfn] > 0 && rc < frames.pincount[pfn] * GUP_PIN_COUNTING_BIAS) {
      errs.push(`pfn ${hex(pfn)}: ${frames.pincount[pfn]} pins but refcount ${rc}`);
    }
    if (errs.length > 50) break;
  }
  checkPmemAndPoison(m, maps, inodes, errs);
  // nr_foll_pin_acquired - nr_foll_pin_released: the pins held now (the zero page's too).
  let pins = 0;
  for (let pfn = 0; pfn < frames.nframes; pfn++) pins += frames.pincount[pfn];
  const held = m.vmstat.follPinAcquired - m.vmstat.follPinReleased;
  if (pins !== held) errs.push(`vmstat: ${held} pins acquired and not released, ${pins} held`);
  // lib/phys/frames.ts: a frame's bytes are in one of four well-formed states.
  for (const e of frames.byteStateProblems()) errs.push(`frames: ${e}`);
  checkTasks(m, errs);
  checkUserfaults(m, errs);
  errs.push(...checkRdma(m));
  checkDevices(m, errs);
  errs.push(...vfioInvariants(m));
  return errs;
}

/** Whether a dax.truncateWithPin design may leave a freed pmem block mapped. */
const FREES_UNDER_MAPPINGS: Record<KnobValue<"dax.truncateWithPin">, boolean> = {
  corrupt: true,
  block: false,
  "fail-etxtbsy": false,
  "notify-kill": false,
  redirect: false,
  "odp-only": true,
  "iommu-revoke": true,
};

/**
 * Hardware-poisoned frames are mapped nowhere and never on the free stack;
 * pmem blocks: a free block is mapped by no PTE (except under
 * dax.truncateWithPin=corrupt, which frees blocks under live mappings' pins),
 * every DAX file's block is allocated to that file, and no block is in two files.
 */
function checkPmemAndPoison(m: Machine, maps: Int32Array, inodes: Set<Inode>, errs: string[]) {
  const frames = m.frames;
  for (let pfn = 0; pfn < frames.nframes; pfn++) {
    if (!(frames.flags[pfn] & PG_HWPOISON)) continue;
    if (maps[pfn]) errs.push(`pfn ${hex(pfn)} is hwpoisoned but mapped`);
    if (frames.onFreeStack(pfn)) errs.push(`pfn ${hex(pfn)} is hwpoisoned but free to allocate`);
  }
  const pmem = m.pmem;
  if (pmem === null) return;
  const blocks = pmem.blocks;
  const corrupt = FREES_UNDER_MAPPINGS[m.policy("dax.truncateWithPin")];
  for (let pfn = blocks.first; pfn < blocks.first + blocks.count; pfn++) {
    if (blocks.isFree(pfn) && maps[pfn] && !corrupt) {
      errs.push(`pmem block ${hex(pfn)} is free but mapped`);
    }
  }
  const seen = new Map<number, number>();
  for (const ino of inodes) {
    const d = daxInode(ino);
    if (d === null) continue;
    for (const [index, pfn] of d.blocks) {
      const other = seen.get(pfn);
      if (other !== undefined) {
        errs.push(`pmem block ${hex(pfn)} in inodes ${other} and ${ino.ino}`);
      }
      seen.set(pfn, ino.ino);
      const own = blocks.owner.get(pfn);
      if (blocks.isFree(pfn) || own === undefined || own[0] !== ino.ino || own[1] !== index) {
        errs.push(
          `inode ${ino.ino}: page ${index} -> pmem block ${hex(pfn)} is not allocated to it`,
        );
      }
    }
  }
}

/** Where a clean page's bytes and its disk block differ, or null. */
function cleanPageMismatch(
  page: Uint8Array | undefined,
  block: Uint8Array | undefined,
): string | null {
  if (page === undefined && block === undefined) return null;
  for (let i = 0; i < 4096; i++) {
    const a = page === undefined ? 0 : page[i];
    const b = block === undefined ? 0 : block[i];
    if (a !== b) return `byte ${i}: ${a} in memory, ${b} on disk`;
  }
  return null;
}
