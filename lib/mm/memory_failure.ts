/**
 * Hardware memory corruption: mm/memory-failure.c memory_failure(pfn, flags),
 * reached from `inject-fault hwpoison PFN` (the machine-check handler's
 * action-optional report, or /sys/kernel/debug/hwpoison/corrupt-pfn) and from
 * madvise(MADV_HWPOISON) (action required, for the caller's own page).
 *
 * Order, as the kernel:
 * 1. a pfn without a struct page: `memory outside kernel control` (-ENXIO);
 * 2. already poisoned: `already hardware poisoned` (-EHWPOISON);
 * 3. PG_hwpoison is set; the frame never returns to the allocator
 *    (FrameTable.put keeps it off the free stack);
 * 4. by page type:
 *    - free (buddy): taken off the free stack (take_page_off_buddy),
 *      `free buddy page`: Recovered;
 *    - reserved (kernel, zero page): `reserved kernel page`: Ignored;
 *    - pmem (fsdax/devdax, memory_failure_dev_pagemap ->
 *      mf_generic_kill_procs): processes are told (MF_MUST_KILL), the page
 *      is unmapped everywhere, `dax page`: Recovered; later faults on it
 *      and reads of its block are poisoned;
 *    - a page in use (LRU: anon, page cache, shmem): hwpoison_user_mappings()
 *      collects the processes mapping it (collect_procs: only early-kill
 *      ones, vm.memory_failure_early_kill, plus the caller for MADV_HWPOISON),
 *      unmaps it from every mm leaving a hwpoison entry where the data was
 *      dirty (anon, dirty file), then signals them if the page was dirty
 *      (kill_procs: `Sending SIGBUS to COMM:PID due to hardware memory
 *      corruption`, BUS_MCEERR_AO, or BUS_MCEERR_AR for the caller), drops it
 *      from the page cache (truncate_error_page) and checks for other users
 *      (has_extra_refcount: `... still referenced by N users`, Failed: a pin
 *      counts GUP_PIN_COUNTING_BIAS users);
 * 5. `recovery action for TYPE: RESULT` (action_result).
 * Later user accesses to a hwpoison entry fault with VM_FAULT_HWPOISON:
 * SIGBUS BUS_MCEERR_AR with si_addr_lsb 12 and `MCE: Killing ...`
 * (arch/x86/mm/fault.c do_sigbus).
 * @module
 */

import type { Machine } from "../machine.ts";
import type { Process } from "../proc/process.ts";
import type { Mm } from "./mm.ts";
import { EFAULT, EHWPOISON, ENXIO, EPERM } from "../abi/errno.ts";
import { getUserPages, releaseUserPage } from "./gup.ts";
import { BUS_MCEERR_AO, BUS_MCEERR_AR, SIGBUS } from "../abi/signal.ts";
import {
  PG_ANON,
  PG_DIRTY,
  PG_FILE,
  PG_HWPOISON,
  PG_LOCKED_MLOCK,
  PG_PMEM,
  PG_RESERVED,
} from "../phys/frames.ts";
import {
  MARKER_HWPOISON,
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  pteClear,
  pteInstall,
} from "./pagetable.ts";
import { dropCachePages } from "./filemap.ts";

/** mm/memory-failure.c action_page_types[], the ones mmlab's pages can be. */
export const MF_MSG = {
  kernel: "reserved kernel page",
  dirtyMlockedLru: "dirty mlocked LRU page",
  cleanMlockedLru: "clean mlocked LRU page",
  dirtyLru: "dirty LRU page",
  cleanLru: "clean LRU page",
  buddy: "free buddy page",
  dax: "dax page",
  unknown: "unknown page",
} as const;

/** action_name[]. */
export type MfResult = "Ignored" | "Failed" | "Delayed" | "Recovered";

/** A process to signal: where it maps the page (to_kill). */
interface ToKill {
  p: Process;
  addr: number;
}

/** What memory_failure() did, for commands and tests. */
export interface MemoryFailureResult {
  /** 0, -ENXIO (no struct page) or -EHWPOISON (already poisoned). */
  ret: number;
  /** Page type for the "recovery action for <type>" line (action_page_types[]). */
  type?: string;
  /** The action result the kernel logs (action_result()). */
  result?: MfResult;
  /** Users left besides the mappings (has_extra_refcount), when any. */
  users?: number;
}

function hexPfn(pfn: number): string {
  return "0x" + pfn.toString(16);
}

function log(m: Machine, text: string, level: "err" | "info" = "err"): void {
  m.dmesg.log(level, `Memory failure: ${text}`);
}

/** Every live process and the user addresses where its mm maps `pfn` (rmap walk). */
function mappers(m: Machine, pfn: number): Map<Process, number[]> {
  const out = new Map<Process, number[]>();
  const seen = new Map<Mm, number[]>();
  for (const p of m.procs.values()) {
    if (!p.alive) continue;
    let addrs = seen.get(p.mm);
    if (addrs === undefined) {
      addrs = [];
      const found = addrs;
      for (let v = p.mm.vmas.first; v !== null; v = v.next) {
        p.mm.pt.forEachTable(v.start / 4096, v.end / 4096, (t, base, lo, hi) => {
          for (let i = lo; i < hi; i++) {
            if ((t.bits[i] & PTE_PRESENT) && t.pfn[i] === pfn) found.push((base + i) * 4096);
          }
        });
      }
      seen.set(p.mm, addrs);
    }
    if (addrs.length > 0) out.set(p, addrs);
  }
  return out;
}

/**
 * try_to_unmap(TTU_HWPOISON) in one mm: each PTE mapping `pfn` goes; where
 * the data cannot be read again (`entry`: anon or dirty) a hwpoison entry
 * takes its place. Returns whether any PTE was dirty.
 */
function unmapPoisoned(m: Machine, mm: Mm, addrs: readonly number[], entry: boolean): boolean {
  const frames = m.frames;
  let dirty = false;
  for (const addr of addrs) {
    const vpn = addr / 4096;
    const t = mm.pt.table(vpn, false)!;
    const i = vpn & 511;
    const b = t.bits[i];
    const pfn = t.pfn[i];
    if (b & PTE_DIRTY) dirty = true;
    const range = mm.invalidateStart(addr, addr + 4096, "CLEAR");
    if (entry || (b & PTE_DIRTY)) pteInstall(t, i, MARKER_HWPOISON, PTE_MARKER);
    else pteClear(t, i);
    frames.mapcount[pfn]--;
    frames.put(pfn);
    mm.invalidateEnd(range);
  }
  return dirty;
}

/** kill_proc(): the log line and the signal (AO, or AR for the caller of MADV_HWPOISON). */
function killProc(m: Machine, tk: ToKill, pfn: number, current: Process | null): void {
  m.trace?.step(
    "memory_failure → kill_procs → kill_proc",
    `SIGBUS ${
      tk.p === current ? "BUS_MCEERR_AR" : "BUS_MCEERR_AO"
    } to ${tk.p.comm}:${tk.p.pid} at 0x${tk.addr.toString(16)}`,
    { pfn },
  );
  log(
    m,
    `${hexPfn(pfn)}: Sending SIGBUS to ${tk.p.comm}:${tk.p.pid} due to hardware memory corruption`,
  );
  const code = tk.p === current ? BUS_MCEERR_AR : BUS_MCEERR_AO;
  const info = { signo: SIGBUS, code, addr: tk.addr, addrLsb: 12 };
  tk.p.signals.push(info);
  m.events.emit({ kind: "signal", pid: tk.p.pid, info });
}

/**
 * task_early_kill(): whether `p` is told now (vm.memory_failure_early_kill,
 * or the caller itself when the error is action-required).
 */
function earlyKill(m: Machine, p: Process, current: Process | null): boolean {
  return p === current || m.sysctl.memoryFailureEarlyKill === 1;
}

/**
 * memory_failure(pfn, flags). `current` is the process for which the error is
 * action required (MADV_HWPOISON's caller), or null (an injected error).
 */
export function memoryFailure(
  m: Machine,
  pfn: number,
  current: Process | null = null,
): MemoryFailureResult {
  const frames = m.frames;
  if (!(pfn >= 0 && pfn < frames.nframes)) {
    log(m, `${hexPfn(pfn)}: memory outside kernel control`);
    return { ret: -ENXIO };
  }
  const fl = frames.flags[pfn];
  if (fl & PG_HWPOISON) {
    log(m, `${hexPfn(pfn)}: already hardware poisoned`);
    return { ret: -EHWPOISON };
  }
  const result = (type: string, res: MfResult, users?: number): MemoryFailureResult => {
    m.trace?.step("memory_failure → identify_page_state", `pfn ${hexPfn(pfn)}: ${type}: ${res}`, {
      pfn,
    });
    log(m, `${hexPfn(pfn)}: recovery action for ${type}: ${res}`);
    return { ret: 0, type, result: res, ...(users !== undefined ? { users } : {}) };
  };
  if (fl & PG_RESERVED) {
    // The zero page and kernel pages: nothing to do but hope (me_kernel).
    return result(MF_MSG.kernel, "Ignored");
  }
  frames.flags[pfn] = fl | PG_HWPOISON;
  if (frames.isPmem(pfn) || (fl & PG_PMEM)) {
    // memory_failure_dev_pagemap() -> mf_generic_kill_procs(): MF_MUST_KILL.
    const who = mappers(m, pfn);
    for (const [p, addrs] of who) {
      if (earlyKill(m, p, current)) killProc(m, { p, addr: addrs[0] }, pfn, current);
    }
    for (const [p, addrs] of who) unmapPoisoned(m, p.mm, addrs, true);
    m.pmem?.blocks.retire(pfn);
    return result(MF_MSG.dax, "Recovered");
  }
  if (frames.refcount[pfn] === 0) {
    // A free page: out of the buddy allocator for good.
    frames.takeOffFree(pfn);
    return result(MF_MSG.buddy, "Recovered");
  }
  // hwpoison_user_mappings(): collect, unmap, kill if the data is lost.
  const who = mappers(m, pfn);
  const anon = (fl & PG_ANON) !== 0;
  let dirty = (fl & PG_DIRTY) !== 0;
  const wantEntry = anon || dirty;
  const mms = new Set<Mm>();
  for (const [p, addrs] of who) {
    if (mms.has(p.mm)) continue;
    mms.add(p.mm);
    if (unmapPoisoned(m, p.mm, addrs, wantEntry)) dirty = true;
  }
  if (anon) dirty = true; // an anonymous page cannot be read again
  if (dirty) {
    for (const [p, addrs] of who) {
      if (earlyKill(m, p, current)) killProc(m, { p, addr: addrs[0] }, pfn, current);
    }
  }
  // identify_page_state() -> me_pagecache_dirty()/me_pagecache_clean().
  const mlocked = (fl & PG_LOCKED_MLOCK) !== 0;
  const type = mlocked
    ? (dirty ? MF_MSG.dirtyMlockedLru : MF_MSG.cleanMlockedLru)
    : (dirty ? MF_MSG.dirtyLru : MF_MSG.cleanLru);
  if (!anon && (fl & PG_FILE)) {
    // truncate_error_page(): out of the page cache of its file.
    const inode = [...m.fs.names.values()].find((i) => i.ino === frames.owner[pfn]) ??
      findInode(m, pfn);
    if (inode !== undefined) {
      const index = frames.index[pfn];
      if (inode.pages.get(index) === pfn) dropCachePages(m, inode, index, index + 1);
    }
  }
  // has_extra_refcount(): what is left is neither a mapping nor the cache.
  const users = frames.refcount[pfn];
  if (users > 0) {
    log(m, `${hexPfn(pfn)}: ${type} still referenced by ${users} users`);
    return result(type, "Failed", users);
  }
  return result(type, "Recovered");
}

/** The inode whose page cache holds `pfn` among mapped and open files. */
function findInode(m: Machine, pfn: number) {
  for (const p of m.procs.values()) {
    if (!p.alive) continue;
    for (let v = p.mm.vmas.first; v !== null; v = v.next) {
      const inode = v.file?.inode;
      if (inode !== undefined && inode.pages.get(m.frames.index[pfn]) === pfn) return inode;
    }
    for (const f of p.fds) {
      if (f !== undefined && f.inode.pages.get(m.frames.index[pfn]) === pfn) {
        return f.inode;
      }
    }
  }
  return undefined;
}

/**
 * madvise(MADV_HWPOISON) (mm/madvise.c madvise_inject_error): CAP_SYS_ADMIN
 * or EPERM; then page by page: the page is taken with get_user_pages_fast()
 * (a read fault: untouched anonymous memory gives the zero page), logged
 * (`Injecting memory failure for pfn ... at process virtual address ...`)
 * and memory_failure() runs as action required for the caller, holding that
 * reference (MF_COUNT_INCREASED). Returns 0 or -errno.
 */
export function madviseInjectError(p: Process, start: number, end: number): number {
  const m = p.machine;
  if (!m.config.root) return -EPERM;
  for (let a = start; a < end; a += 4096) {
    const r = getUserPages(p.mm, a, 1, 0);
    if (r.pages.length === 0) return r.err !== 0 ? r.err : -EFAULT;
    const pg = r.pages[0];
    m.dmesg.log(
      "info",
      `Injecting memory failure for pfn ${hexPfn(pg.pfn)} at process virtual address ${hexPfn(a)}`,
    );
    // memory_failure() runs with GUP's reference as its own (MF_COUNT_INCREASED).
    releaseUserPage(p.mm, pg);
    const ret = memoryFailure(m, pg.pfn, p).ret;
    if (ret !== 0) return ret;
  }
  return 0;
}
