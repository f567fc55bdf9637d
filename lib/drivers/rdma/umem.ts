/**
 * drivers/infiniband/core/umem.c: user memory a device will read and
 * write by DMA, pinned for as long as the MR (or CQ/QP buffer) lives.
 * @module
 */

import { EFAULT, EINVAL, ENOMEM, EOPNOTSUPP, EPERM } from "../../abi/errno.ts";
import type { Process } from "../../proc/process.ts";
import { FOLL_LONGTERM, FOLL_WRITE } from "../../mm/gup.ts";
import type { PinApi } from "./hw.ts";
import { IB_ACCESS_ON_DEMAND, ibAccessWritable } from "./ib_verbs.ts";
import type { Umem } from "./uverbs.ts";

/** RLIMIT_MEMLOCK in pages (Infinity when unlimited). */
function lockLimitPages(p: Process): number {
  const l = p.mm.rlimits.memlock;
  return l === Infinity ? Infinity : Math.floor(l / 4096);
}

/**
 * ib_umem_get(): pins [addr, addr+size) for the device. In order:
 * -EINVAL for a range that wraps; -EPERM when the caller cannot mlock at
 * all (can_do_mlock: RLIMIT_MEMLOCK 0 and no CAP_IPC_LOCK); -EOPNOTSUPP for
 * IB_ACCESS_ON_DEMAND (ODP goes through ib_umem_odp_get); -EINVAL for no
 * pages; -ENOMEM when mm->pinned_vm would pass RLIMIT_MEMLOCK without
 * CAP_IPC_LOCK; then pin_user_pages_fast(FOLL_LONGTERM, and FOLL_WRITE for
 * a writable access) and GUP's errnos. A short pin unpins everything
 * (the kernel loops until all pages are pinned or one call fails).
 */
export function ibUmemGet(
  p: Process,
  pins: PinApi,
  addr: number,
  size: number,
  access: number,
): Umem | number {
  const end = addr + size;
  if (end < addr || Math.ceil(end / 4096) * 4096 < end || end > 2 ** 64) return -EINVAL;
  const root = p.machine.config.root;
  if (p.mm.rlimits.memlock === 0 && !root) return -EPERM;
  if (access & IB_ACCESS_ON_DEMAND) return -EOPNOTSUPP;
  const first = Math.floor(addr / 4096);
  const npages = size === 0 ? 0 : Math.ceil(end / 4096) - first;
  if (npages === 0) return -EINVAL;
  const mm = p.mm;
  mm.pinnedVm += npages;
  if (mm.pinnedVm > lockLimitPages(p) && !root) {
    mm.pinnedVm -= npages;
    return -ENOMEM;
  }
  const writable = ibAccessWritable(access);
  const flags = FOLL_LONGTERM | (writable ? FOLL_WRITE : 0);
  let r: ReturnType<PinApi["pin"]>;
  try {
    r = pins.pin(mm, first * 4096, npages, flags);
  } catch (e) {
    mm.pinnedVm -= npages; // the pin slept and unwound: nothing is charged
    throw e;
  }
  if (r.err !== 0 || r.pages.length < npages) {
    pins.unpin(mm, r.pages, false);
    mm.pinnedVm -= npages;
    return r.err !== 0 ? r.err : -EFAULT; // a short pin ends as -EFAULT
  }
  return { mm, addr, length: size, pages: r.pages, writable };
}

/** ib_umem_release(): unpins the pages (dirty if writable) and gives back pinned_vm. */
export function ibUmemRelease(pins: PinApi, umem: Umem): void {
  if (umem.odp !== undefined) return umem.odp.release(); // ib_umem_odp_release()
  if (umem.pages.length === 0) return;
  pins.unpin(umem.mm, umem.pages, umem.writable);
  umem.mm.pinnedVm -= umem.pages.length;
  umem.pages = [];
}
