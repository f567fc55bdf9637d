/**
 * On-demand paging memory regions (IBV_ACCESS_ON_DEMAND):
 * drivers/infiniband/core/umem_odp.c and drivers/infiniband/hw/mlx5/odp.c.
 *
 * Registration pins nothing: ib_umem_odp_get() subscribes an interval
 * notifier over [addr, addr+length) of the caller's mm, so it succeeds
 * whatever is mapped there (holes, read-only or special VMAs). The NIC
 * keeps its own translation (the MR's MTT: here the mirror's device page
 * table, iova -> pfn). When a work request touches a page the table lacks
 * (or lacks write permission for), the NIC raises a page fault:
 * mlx5_ib_page_fault -> pagefault_real_mr -> ib_umem_odp_map_dma_and_lock,
 * which runs the HMM protocol (mmu_interval_read_begin, hmm_range_fault
 * with HMM_PFN_REQ_FAULT, and HMM_PFN_REQ_WRITE for a writable MR, -EBUSY
 * retried for HMM_RANGE_DEFAULT_TIMEOUT = 1 s, mmu_interval_read_retry),
 * then the MTT is updated. A fault that fails (-EFAULT: a hole, no
 * VM_READ, VM_IO/VM_PFNMAP; -EPERM: a write to a read-only VMA) fails the
 * work request: it completes in error and the QP moves to the error state.
 * An invalidation (munmap, mprotect, MADV_DONTNEED, COW, exit...) reaches
 * mlx5_ib_invalidate_range through the notifier: mmu_interval_set_seq and
 * the device PTEs of the range are dropped; the next access faults again.
 *
 * ODP through hmm_range_fault is 5.10+ (5.5-5.9 used interval notifiers
 * with get_user_pages_remote); mmlab models today's path only.
 *
 * Completion status names (ibv_wc_status) for a failed access are
 * emulator-defined but stable (devices.md §5): a local access
 * (the NIC gathering a SEND, scattering a RECV) IBV_WC_LOC_PROT_ERR; a
 * peer's RDMA READ/WRITE through the rkey IBV_WC_REM_ACCESS_ERR, reported
 * at the requester.
 * @module
 */

import { EINVAL } from "../../abi/errno.ts";
import type { Process } from "../../proc/process.ts";
import type { PciDev } from "../../pci/device.ts";
import { DeviceMirror, type MirrorFault } from "../../mm/hmm_mirror.ts";
import {
  IB_ACCESS_LOCAL_WRITE,
  IB_ACCESS_REMOTE_READ,
  IB_ACCESS_REMOTE_WRITE,
  ibAccessWritable,
} from "./ib_verbs.ts";
import type { Umem } from "./uverbs.ts";
import type { VObject } from "./libibverbs.ts";
import { uverbsFileOfFd } from "./uverbs_cmd.ts";
import { lookupUobject } from "./rdma_core.ts";

/** struct ib_umem_odp: the mirror of the MR's range, and who imports it. */
export class IbUmemOdp {
  /** An ODP umem over `mirror`, imported by `importer`, writable or not. */
  constructor(
    readonly mirror: DeviceMirror,
    /** The NIC (the importer a special VMA's RFC p2p_map is asked about). */
    readonly importer: PciDev | undefined,
    readonly writable: boolean,
    /** Device page faults taken, for views. */
    public faults = 0,
  ) {}

  /** ib_umem_odp_release(): mmu_interval_notifier_remove and the MTT dropped. */
  release(): void {
    this.mirror.destroy();
  }
}

/**
 * ib_umem_odp_get(): no pin, no RLIMIT_MEMLOCK charge; -EINVAL only for an
 * empty or wrapping range. The MR's umem carries the ODP state.
 */
export function ibUmemOdpGet(
  p: Process,
  addr: number,
  length: number,
  access: number,
  importer: PciDev | undefined,
): Umem | number {
  if (length === 0 || addr + length > 2 ** 64) return -EINVAL;
  const start = addr - (addr % 4096);
  const end = Math.ceil((addr + length) / 4096) * 4096;
  const writable = ibAccessWritable(access);
  const mirror = DeviceMirror.create(p.mm, start, end - start, "odp mr");
  if (typeof mirror === "number") return mirror;
  const odp = new IbUmemOdp(mirror, importer, writable);
  return { mm: p.mm, addr, length, pages: [], writable, odp };
}

/** How the NIC touches an MR (ibv_wr_opcode / ibv_wc_opcode). */
export type MrAccessKind = "send" | "recv" | "rdma-read" | "rdma-write";

/** enum ibv_wc_status names mmlab reports. */
export type WcStatus = "IBV_WC_SUCCESS" | "IBV_WC_LOC_PROT_ERR" | "IBV_WC_REM_ACCESS_ERR";

/** What one NIC access did. */
export interface MrAccessResult {
  /** The work completion status. */
  status: WcStatus;
  /** The device page fault it took (none when the MTT had every page). */
  fault: MirrorFault | null;
  /** Why it failed, for views. */
  why: string;
}

/**
 * The NIC touches [iova, iova+length) of an MR: the mkey checks (range,
 * access rights), then, for an ODP MR, a page fault for the pages its MTT
 * lacks (mlx5: the faulting range, as the WQE's scatter/gather entry
 * names it). A pinned MR's pages are always there.
 */
export function mrAccess(
  umem: Umem,
  access: number,
  iova: number,
  length: number,
  kind: MrAccessKind,
): MrAccessResult {
  const remote = kind === "rdma-read" || kind === "rdma-write";
  const bad: WcStatus = remote ? "IBV_WC_REM_ACCESS_ERR" : "IBV_WC_LOC_PROT_ERR";
  if (length === 0) return { status: "IBV_WC_SUCCESS", fault: null, why: "" };
  if (iova < umem.addr || iova + length > umem.addr + umem.length) {
    return { status: bad, fault: null, why: "outside the MR" };
  }
  const needRight = kind === "rdma-read"
    ? IB_ACCESS_REMOTE_READ
    : kind === "rdma-write"
    ? IB_ACCESS_REMOTE_WRITE
    : kind === "recv"
    ? IB_ACCESS_LOCAL_WRITE
    : 0;
  if (needRight !== 0 && !(access & needRight)) {
    return { status: bad, fault: null, why: "the MR lacks the access right" };
  }
  const odp = umem.odp;
  if (odp === undefined) return { status: "IBV_WC_SUCCESS", fault: null, why: "" };
  const write = kind === "recv" || kind === "rdma-write";
  const first = iova - (iova % 4096);
  const end = Math.ceil((iova + length) / 4096) * 4096;
  let missing = -1;
  for (let a = first; a < end; a += 4096) {
    const e = odp.mirror.lookup(a);
    if (e === undefined || (write && !e.write)) {
      missing = a;
      break;
    }
  }
  if (missing < 0) return { status: "IBV_WC_SUCCESS", fault: null, why: "" };
  // pagefault_real_mr(): fault from the first missing page to the end of
  // the access, asking for write access when the MR is writable.
  odp.faults++;
  const fault = odp.mirror.fault(missing, (end - missing) / 4096, odp.writable, odp.importer);
  if (fault.ret !== 0) return { status: bad, fault, why: "the page fault failed" };
  if (
    write &&
    [...Array((end - first) / 4096).keys()].some((i) => !odp.mirror.lookup(first + i * 4096)?.write)
  ) {
    return { status: bad, fault, why: "the pages are not writable" };
  }
  return { status: "IBV_WC_SUCCESS", fault, why: "" };
}

/**
 * The MR behind a libibverbs `struct ibv_mr *` of process `p` and its NIC
 * access: for the REPL's `mr_access`. A string says what is wrong with
 * the pointer or the device.
 */
export function mrAccessByPtr(
  p: Process,
  ptr: bigint,
  offset: number,
  length: number,
  kind: MrAccessKind,
): MrAccessResult | string {
  const e = p.machine.rdma.verbs.lookup(p, ptr, ["mr"]);
  if (typeof e === "string") return e;
  const mr = e as VObject;
  const ufile = uverbsFileOfFd(p, mr.ctx.cmdFd);
  if (typeof ufile === "number") return "the MR's device file is closed";
  const u = lookupUobject(ufile, mr.handle, false);
  if (typeof u === "number" || u.data.kind !== "mr") return "the device is gone (EIO)";
  return mrAccess(u.data.umem, u.data.access, mr.addr + offset, length, kind);
}
