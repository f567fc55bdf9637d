/**
 * The mlx5-like hardware driver's uverbs side (drivers/infiniband/hw/mlx5
 * main.c): each user context gets one UAR page of BAR 0 (the doorbell and
 * BlueFlame registers its QPs ring), handed out through an mmap entry, and
 * mapped by mlx5_ib_mmap() with rdma_user_mmap_io(). Page 0 of the BAR is
 * the initialization segment (command queue, health buffer): never mapped.
 *
 * ```
 *  BAR 0:  page 0: init segment | page 1: UAR (ctx A) | page 2: UAR (ctx B) | ...
 *  UAR page: 0x000 ... 0x800: BlueFlame buffer 0 | 0x900: BlueFlame buffer 1
 * ```
 * mlx5_ib_disassociate_ucontext() is empty in today's kernel: the core's
 * zap is all that is needed.
 * @module
 */

import { EINVAL, ENOMEM } from "../../abi/errno.ts";
import type { Vma } from "../../mm/vma.ts";
import {
  rdmaUserMmapEntryGet,
  rdmaUserMmapEntryInsert,
  rdmaUserMmapEntryPut,
  rdmaUserMmapEntryRemove,
  rdmaUserMmapIo,
} from "./ib_core_uverbs.ts";
import type { RdmaFunction } from "./hw.ts";
import type { IbDeviceOps, RdmaUserMmapEntry, Ucontext } from "./uverbs.ts";

/** MLX5_BF_OFFSET: where a UAR page's first BlueFlame buffer starts. */
export const MLX5_BF_OFFSET = 0x800;
/** The size of one BlueFlame buffer; posts alternate between two (bf->offset ^= buf_size). */
export const MLX5_BF_SIZE = 0x100;

/** mlx5_ib's ib_device_ops for one function. */
export class Mlx5Ib implements IbDeviceOps {
  readonly driverName = "mlx5";
  /** UAR pages in use, by BAR page index (page 0: init segment). */
  private readonly uarUsed: Set<number> = new Set();
  /** The next QP number (QPNs start above the reserved ones). */
  private nextQpn = 0x108;
  private nextMkey = 0x200;

  constructor(readonly hw: RdmaFunction) {}

  /** mlx5_ib_alloc_ucontext(): a UAR page and its mmap entry (offset = pgoff cookie). */
  allocUcontext(uctx: Ucontext): number {
    let idx = 1;
    while (this.uarUsed.has(idx)) idx++;
    if (idx >= this.hw.barPages) return -ENOMEM;
    const e = rdmaUserMmapEntryInsert(uctx, 1, this.hw.barPfn + idx);
    if (typeof e === "number") return e;
    this.uarUsed.add(idx);
    uctx.driver = { uarIndex: idx, uarEntry: e };
    return 0;
  }

  /** mlx5_ib_dealloc_ucontext(): the entry is removed; the UAR goes with its last mapping. */
  deallocUcontext(uctx: Ucontext): void {
    rdmaUserMmapEntryRemove(uctx.driver.uarEntry);
    uctx.driver.uarEntry = null;
  }

  /** mlx5_ib_mmap() -> mlx5_ib_mmap_offset(): only known, shared, exact-size entries. */
  mmap(uctx: Ucontext, vma: Vma): number {
    const e = rdmaUserMmapEntryGet(uctx, vma);
    if (e === null) return -EINVAL;
    const r = rdmaUserMmapIo(uctx, vma, e.pfn, e.npages * 4096, e);
    rdmaUserMmapEntryPut(e);
    return r;
  }

  /** mlx5_ib_mmap_free(): the UAR page is given back (mlx5_cmd_uar_dealloc). */
  mmapFree(e: RdmaUserMmapEntry): void {
    this.uarUsed.delete(e.pfn - this.hw.barPfn);
  }

  /** mlx5_ib_disassociate_ucontext(): nothing left to do after the core's zap. */
  disassociateUcontext(_uctx: Ucontext): void {}

  /** A QP number for mlx5_ib_create_qp. */
  allocQpn(): number {
    return this.nextQpn++;
  }

  /** An mkey for mlx5_ib_reg_user_mr: index << 8 | key byte. */
  allocMkey(): number {
    return (this.nextMkey++ << 8) | 0x00;
  }
}
