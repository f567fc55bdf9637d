/**
 * Truncate and hole punch of a DAX file while devices may still DMA into
 * its blocks: fs/ext4/inode.c ext4_setattr()/ext4_punch_hole() ->
 * ext4_break_layouts() -> fs/dax.c dax_break_layout() /
 * dax_layout_busy_page_range(), then the blocks go back to the allocator.
 *
 * Order, as the kernel (6.18):
 * 1. the invalidate lock is taken (filemap_invalidate_lock: no new faults);
 * 2. unmap_mapping_range() of the WHOLE file in every process, private
 *    COW copies kept (dax_layout_busy_page_range unmaps [0, LLONG_MAX]);
 *    mmu notifiers fire for each mm;
 * 3. the first block still referenced (a GUP reference or a pin: nothing
 *    maps it any more) is "busy"; policy `dax.truncateWithPin` decides:
 *    - `corrupt` (through 4.17/4.18): no wait: the blocks are freed with
 *      the pins still on them; the next allocation reuses the block (LIFO)
 *      and a later DMA lands in another file;
 *    - `block` (4.18 xfs, 4.19 ext4 on): sleep interruptibly (wchan
 *      ext4_wait_dax_page) until a pmem page loses a reference, then look
 *      again from step 2; a caught signal ends the call with EINTR. Up to
 *      6.18 dax_layout_busy_page_range() returns NULL when the file is
 *      mapped nowhere (mapping_mapped): then nothing waits and the pinned
 *      blocks are freed as under `corrupt` (6.19's dax_break_layout dropped
 *      that test). The idle test is refcount 1 up to 6.13 and 0 after
 *      (dax_page_is_idle): one reference fewer everywhere, the same waits;
 *    - `fail-etxtbsy` (2019 RFC): the call fails ETXTBSY, nothing changes;
 *    - `notify-kill` (2018 thread): the processes holding long-term pins
 *      (pages they hold through GUP, or an RDMA MR over the file) get SIGIO (the lease-break notice)
 *      and the call waits up to /proc/sys/fs/lease-break-time seconds on
 *      the virtual clock; pinners still pinning then get SIGKILL (their
 *      exit drops the pins) and the truncate goes on. Short-term pins (an
 *      O_DIRECT bio) are waited for as under `block`;
 *    - `redirect` (2018 thread): each held pin moves to a fresh scratch
 *      page (the device now writes there: silently lost), then as `block`;
 *    - `odp-only` (the 2018 thread's "ODP or nothing"): long-term pins of
 *      fsdax are refused whatever `gup.longtermFsdax` says (gup.c
 *      check_vma_flags: EOPNOTSUPP), so only ODP MRs reach the file, and
 *      step 2 already invalidated them through their interval notifiers
 *      (mlx5_ib_invalidate_range); nothing waits and the blocks are freed.
 *      The NIC's next access re-faults (hmm_range_fault) past EOF: -EFAULT,
 *      an error completion. A short-term reference still held is freed
 *      under, as `corrupt` would;
 *    - `iommu-revoke`: the IOVAs translating to the busy pages are unmapped
 *      from every IOMMU paging domain (iommu_unmap, as a revoking driver
 *      does) and the blocks are freed: the device's next DMA there faults
 *      (DMAR: ... in dmesg) and completes per `iommu.deviceOnFault`. The
 *      pins stay until their owners drop them. With `iommu.enabled=off`
 *      there is nothing to revoke through: it waits as `block`.
 * 4. i_size changes, the partial block at the new EOF is zeroed and the
 *    blocks past it are freed (ext4_truncate / ext4_punch_hole).
 * @module
 */

import { EINTR, ETXTBSY } from "../abi/errno.ts";
import { SIGIO, SIGKILL } from "../abi/signal.ts";
import type { Process } from "../proc/process.ts";
import type { Inode } from "./inode.ts";
import type { Machine } from "../machine.ts";
import type { KnobValue } from "../policy.ts";
import { daxInode } from "./dax.ts";
import { unmapMappingPages } from "../mm/truncate.ts";
import { WouldBlock } from "../sched/wait.ts";
import { sendSignal, takeSignalPending } from "../proc/signal.ts";
import { GUP_PIN_COUNTING_BIAS } from "../phys/frames.ts";
import { releaseUserPage } from "../mm/gup.ts";
import type { KernelTrace } from "../trace/kernel_trace.ts";
import { hexAddr } from "../mm/trace_text.ts";

const PAGE = 4096;

/** The wait channel of a truncate waiting for a pinned DAX page (ps WCHAN). */
export const WCHAN_DAX_LAYOUT = "ext4_wait_dax_page";

/** What a truncate does with a busy (still referenced) DAX page, per policy. */
const BUSY_ACTION: Record<
  KnobValue<"dax.truncateWithPin">,
  "free" | "wait" | "fail" | "notify" | "redirect" | "revoke"
> = {
  corrupt: "free",
  block: "wait",
  "fail-etxtbsy": "fail",
  "notify-kill": "notify",
  redirect: "redirect",
  "odp-only": "free",
  "iommu-revoke": "revoke",
};

/** The blocks of a DAX file still referenced once nothing maps them. */
function busyBlocks(m: Machine, inode: Inode): number[] {
  const d = daxInode(inode)!;
  const out: number[] = [];
  for (const pfn of d.blocks.values()) if (m.frames.refcount[pfn] > 0) out.push(pfn);
  return out.sort((a, b) => a - b);
}

/**
 * The processes to notify: those holding GUP references on any of `pfns`
 * (pins the process keeps), and those mapping the file whose mm carries
 * long-term pins a driver accounts (pinned_vm: an RDMA MR's umem).
 */
function pinners(m: Machine, inode: Inode, pfns: readonly number[]): Process[] {
  const set = new Set(pfns);
  const mapping = new Set([...inode.mappings].map((v) => v.mm));
  return [...m.procs.values()].filter((p) =>
    p.alive &&
    (p.mm.gupHeld.some((g) => set.has(g.pfn)) || (mapping.has(p.mm) && p.mm.pinnedVm > 0))
  );
}

/**
 * Jerome Glisse's redirect: every held GUP reference on `pfns` is moved to a
 * fresh zeroed RAM page (the device is reprogrammed to write there). The
 * reference is taken on the scratch page as it was on the DAX page (a pin:
 * the bias and a nr_foll_pin_acquired count), then the DAX page's is given back.
 */
function redirectPins(m: Machine, pfns: readonly number[]): number {
  const set = new Set(pfns);
  const frames = m.frames;
  let moved = 0;
  for (const p of m.procs.values()) {
    if (!p.alive) continue;
    for (const g of p.mm.gupHeld) {
      if (!set.has(g.pfn)) continue;
      const scratch = frames.alloc();
      if (scratch < 0) continue;
      const pin = (g.ref ?? (g.pinned ? "pin" : "get")) === "pin";
      if (pin) {
        frames.refcount[scratch] += GUP_PIN_COUNTING_BIAS - 1;
        frames.pincount[scratch]++;
        m.vmstat.follPinAcquired++;
      } else frames.gupGets.set(scratch, 1);
      releaseUserPage(p.mm, g);
      g.pfn = scratch;
      moved++;
    }
  }
  return moved;
}

/**
 * ext4_break_layouts(): unmap the file everywhere, then deal with busy
 * pages per policy. Returns 0 to go on, -errno, or throws {@link WouldBlock}
 * (the call sleeps and runs again from the start when woken).
 */
export function daxBreakLayouts(p: Process, inode: Inode, via = "ext4_setattr"): number {
  const m = p.machine;
  const d = daxInode(inode)!;
  const tr = m.trace;
  const at = tr === null
    ? ""
    : `${via} → ext4_break_layouts → dax_break_layout → dax_layout_busy_page_range`;
  // dax_layout_busy_page_range(): unmap_mapping_pages(mapping, 0, 0, 0).
  tr?.step(
    `${at} → unmap_mapping_pages`,
    `the whole file (inode ${inode.ino}) unmapped from ${
      plural(inode.mappings.size, "VMA")
    }; private COW copies kept`,
  );
  unmapMappingPages(m, inode, 0, Infinity, false);
  let busy = busyBlocks(m, inode);
  const knob = m.policy("dax.truncateWithPin");
  const policy = tr === null ? "" : `dax.truncateWithPin=${knob}`;
  if (busy.length === 0) {
    tr?.step(at, "no block still referenced: nothing to wait for");
    d.breakDeadline = -1;
    return 0;
  }
  if (tr !== null) traceBusy(tr, m, at, busy, policy);
  const action = BUSY_ACTION[knob];
  // Called as decide?.(...): no text is built while tracing is off.
  const decide = tr === null
    ? null
    : (why: string, errno?: string) =>
      tr.step(at, why, errno === undefined ? { policy } : { policy, errno });
  if (action === "free") {
    decide?.(
      knob === "odp-only"
        ? "no long-term pin can exist (only ODP reaches fsdax): the blocks are freed"
        : "no wait: the blocks are freed with the references still on them",
    );
    return 0;
  }
  if (action === "fail") {
    decide?.("the truncate is refused: -ETXTBSY", "-ETXTBSY");
    return -ETXTBSY;
  }
  if (action === "revoke" && m.pci.iommu.enabled) {
    decide?.("iommu_unmap of every IOVA translating to the busy blocks, then freed");
    m.pci.iommu.revokePfns(new Set(busy));
    return 0;
  }
  // The kernel's test: a file mapped nowhere has no busy page (up to 6.18).
  if (inode.mappings.size === 0) {
    decide?.("mapping_mapped() is false: no busy page is seen (6.18), the blocks are freed");
    return 0;
  }
  if (takeSignalPending(p)) {
    decide?.("a signal is pending: the interruptible wait ends: -EINTR", "-EINTR");
    d.breakDeadline = -1;
    return -EINTR;
  }
  const pmem = m.pmem!;
  if (action === "redirect") {
    const moved = redirectPins(m, busy);
    busy = busyBlocks(m, inode);
    decide?.(
      `${plural(moved, "held reference")} moved to scratch pages; ${
        plural(busy.length, "block")
      } still busy`,
    );
    if (busy.length === 0) return 0;
  }
  if (action === "notify") {
    const who = pinners(m, inode, busy);
    if (who.length > 0) {
      const now = m.clock.ns;
      if (d.breakDeadline < 0) {
        decide?.(
          `the lease break: SIGIO to pid ${
            who.map((q) => q.pid).join(", ")
          }, a wait of up to ${m.sysctl.leaseBreakTime} s`,
        );
        // The lease-break notice (kill_fasync: SIGIO), then a bounded wait.
        for (const q of who) sendSignal(q, SIGIO);
        d.breakDeadline = now + m.sysctl.leaseBreakTime * 1e9;
        const deadline = d.breakDeadline;
        m.sched.timers.start(deadline, `lease break of inode ${inode.ino}`, () => {
          if (!pmem.idle.empty) m.sched.wakeAll(pmem.idle);
        });
      } else if (now >= d.breakDeadline) {
        decide?.(`lease-break-time passed: SIGKILL to pid ${who.map((q) => q.pid).join(", ")}`);
        // No forward progress from user space: kill the pinners; their exit unpins.
        for (const q of who) sendSignal(q, SIGKILL);
        d.breakDeadline = -1;
        busy = busyBlocks(m, inode);
        if (busy.length === 0) return 0;
      }
    }
  }
  tr?.step(
    `${via} → ext4_break_layouts → dax_break_layout → ___wait_var_event → ext4_wait_dax_page`,
    "sleeps interruptibly until a pmem page loses a reference, then looks again",
    { policy },
  );
  throw new WouldBlock(pmem.idle, WCHAN_DAX_LAYOUT, `truncate of inode ${inode.ino}`);
}

/** `1 VMA`, `2 VMAs`. */
function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

/** The first busy block, as dax_layout_busy_page_range() returns it, and how many. */
function traceBusy(
  tr: KernelTrace,
  m: Machine,
  at: string,
  busy: readonly number[],
  policy: string,
): void {
  const pfn = busy[0];
  const f = m.frames;
  tr.step(
    at,
    `busy: pfn ${hexAddr(pfn)} still referenced (refcount ${f.refcount[pfn]}, ${
      f.pincount[pfn]
    } pins)${busy.length > 1 ? `, ${busy.length - 1} more` : ""}`,
    { pfn, policy },
  );
}

/** Frees the DAX blocks of pages [from, to): back to the allocator, LIFO. */
function freeBlocks(m: Machine, inode: Inode, from: number, to: number, via: string): void {
  const d = daxInode(inode)!;
  const idx = [...d.blocks.keys()].filter((i) => i >= from && i < to).sort((a, b) => a - b);
  m.trace?.step(
    via,
    idx.length === 0
      ? "no block to free"
      : `${plural(idx.length, "block")} freed (pgoff ${idx[0]}..${
        idx[idx.length - 1]
      }), back to the allocator`,
  );
  for (const i of idx) {
    const pfn = d.blocks.get(i)!;
    d.blocks.delete(i);
    m.pmem!.blocks.release(pfn);
  }
}

/** Zeroes bytes [from, to) of page `index`'s block, if it has one. */
function zeroBlock(m: Machine, inode: Inode, index: number, from: number, to: number): void {
  const pfn = daxInode(inode)!.blocks.get(index);
  if (pfn !== undefined && to > from) m.frames.zero(pfn, from, to);
}

/**
 * ext4_setattr() size change on a DAX inode (ftruncate, open O_TRUNC):
 * growing only zeroes the old EOF block's tail; shrinking (or keeping the
 * size) breaks layouts first. Returns 0 or -errno; may throw WouldBlock.
 */
export function daxSetSize(p: Process, inode: Inode, newSize: number): number {
  const m = p.machine;
  const old = inode.size;
  if (newSize > old) {
    if (old % PAGE) zeroBlock(m, inode, Math.floor(old / PAGE), old % PAGE, PAGE);
    inode.size = newSize;
    return 0;
  }
  const r = daxBreakLayouts(p, inode);
  if (r !== 0) return r;
  inode.size = newSize;
  if (newSize % PAGE) zeroBlock(m, inode, Math.floor(newSize / PAGE), newSize % PAGE, PAGE);
  freeBlocks(m, inode, Math.ceil(newSize / PAGE), Infinity, "ext4_setattr → ext4_truncate");
  return 0;
}

/**
 * ext4_punch_hole() on a DAX inode (fallocate PUNCH_HOLE|KEEP_SIZE): nothing
 * at or past EOF; layouts broken for the whole file; partial blocks at the
 * edges zeroed, the whole blocks inside freed. The size never changes.
 */
export function daxPunchHole(p: Process, inode: Inode, offset: number, len: number): number {
  const m = p.machine;
  if (offset >= inode.size) return 0;
  const end = Math.min(offset + len, Math.ceil(inode.size / PAGE) * PAGE);
  const r = daxBreakLayouts(p, inode, "ext4_fallocate → ext4_punch_hole");
  if (r !== 0) return r;
  const first = Math.ceil(offset / PAGE), last = Math.floor(end / PAGE);
  if (first > last) {
    const i = Math.floor(offset / PAGE);
    zeroBlock(m, inode, i, offset % PAGE, end - i * PAGE);
    return 0;
  }
  if (offset % PAGE) zeroBlock(m, inode, first - 1, offset % PAGE, PAGE);
  if (end % PAGE) zeroBlock(m, inode, last, 0, end % PAGE);
  freeBlocks(m, inode, first, last, "ext4_fallocate → ext4_punch_hole → ext4_ext_remove_space");
  return 0;
}
