/**
 * The objects of the RDMA core's user interface (drivers/infiniband/core/
 * uverbs.h, rdma_core.h, include/rdma/ib_verbs.h), as plain state:
 *
 * ```
 *  IbDevice (mlx5_0) ──── UverbsDevice (/dev/infiniband/uverbs0)
 *                            │ files
 *                            ▼
 *  OpenFile ──────────── UverbsFile (ufile) ── ucontext ── mmap entries (pgoff cookies)
 *                            │ uobjects: async event file, PD, MR(umem), CQ, QP
 *                            │ umaps: RdmaUmapPriv per VMA (vm_private_data)
 *                            └ disassociatePage: one zeroed page, lazily, per file
 * ```
 * Behaviour lives in the files named after the kernel's: ib_core_uverbs.ts
 * (mmap), rdma_core.ts (uobjects, teardown), uverbs_main.ts (fops, device
 * add/remove), uverbs_cmd.ts (the commands).
 * @module
 */

import type { Vma } from "../../mm/vma.ts";
import type { Mm } from "../../mm/mm.ts";
import type { GupPage } from "../../mm/gup.ts";
import type { OpenFile } from "../../fs/file.ts";
import type { Inode } from "../../fs/inode.ts";
import type { Machine } from "../../machine.ts";
import { WaitQueue } from "../../sched/wait.ts";
import type { AsyncEventDesc } from "./ib_verbs.ts";
import type { PinApi, RdmaFunction } from "./hw.ts";
import type { IbUmemOdp } from "./odp.ts";

/** struct ib_device_ops, the part uverbs calls (a hardware driver fills it). */
export interface IbDeviceOps {
  /** The driver's name (`mlx5`). */
  readonly driverName: string;
  /** ->alloc_ucontext: sets up the context, inserts its mmap entries. 0 or -errno. */
  allocUcontext(uctx: Ucontext): number;
  /** ->dealloc_ucontext: removes the entries (rdma_user_mmap_entry_remove). */
  deallocUcontext(uctx: Ucontext): void;
  /** ->mmap: maps one entry of the context (rdma_user_mmap_io). 0 or -errno. */
  mmap(uctx: Ucontext, vma: Vma): number;
  /** ->mmap_free: the last reference to an entry went away. */
  mmapFree(entry: RdmaUserMmapEntry): void;
  /**
   * ->disassociate_ucontext: present in drivers that can lose the device
   * under open files (mlx4, mlx5, hns...). Without it, device removal
   * waits until every uverbs file is closed.
   */
  disassociateUcontext?(uctx: Ucontext): void;
}

/** struct ib_device: one registered RDMA device. */
export class IbDevice {
  /** Cleared when ib_unregister_device() has run. */
  registered = true;
  /** A registered device `name` with driver `ops` over hardware `hw`. */
  constructor(
    /** `mlx5_0` */
    readonly name: string,
    readonly ops: IbDeviceOps,
    readonly hw: RdmaFunction,
    /** node_guid (ibv_get_device_guid), from the function's firmware. */
    readonly nodeGuid: bigint,
  ) {}
}

/** struct rdma_user_mmap_entry: one mmap-able range handed out as a pgoff cookie. */
export class RdmaUserMmapEntry {
  /** kref: the context's own plus one per VMA (rdma_umap_priv) and per lookup. */
  refs = 1;
  /** rdma_user_mmap_entry_remove() ran: lookups fail, the last put frees it. */
  driverRemoved = false;
  /** An entry of `ucontext` of `npages` pages from `startPgoff`. */
  constructor(
    readonly ucontext: Ucontext,
    /** The xarray index: vm_pgoff of a mapping of the entry (mmap offset >> PAGE_SHIFT). */
    readonly startPgoff: number,
    readonly npages: number,
    /** Driver data: the first pfn to map. */
    readonly pfn: number,
  ) {}
}

/** struct ib_ucontext */
export class Ucontext {
  /** mmap_xa: entries by start pgoff. */
  readonly mmapXa: Map<number, RdmaUserMmapEntry> = new Map();
  /** Driver data (mlx5: the UAR page index in BAR 0 and its entry). */
  driver: { uarIndex: number; uarEntry: RdmaUserMmapEntry | null } = {
    uarIndex: -1,
    uarEntry: null,
  };
  /** The context of `ufile` on `device`. */
  constructor(readonly ufile: UverbsFile, readonly device: IbDevice) {}
}

/** struct rdma_umap_priv: a VMA of a uverbs file, tracked for the zap at device loss. */
export class RdmaUmapPriv {
  /** The entry the VMA maps; null once zapped at device loss. */
  entry: RdmaUserMmapEntry | null;
  /** Tracks `vma`, which maps `entry`. */
  constructor(readonly vma: Vma, entry: RdmaUserMmapEntry | null) {
    this.entry = entry;
  }
}

/** The kind of a uobject, with the name `rdma res` / the verbs use. */
export type UobjectKind = "async_event" | "pd" | "mr" | "cq" | "qp";

/** struct ib_uobject and the object behind it. */
export class Uobject {
  /** Objects that hold this one (a PD's MRs and QPs, a CQ's QPs): ib_destroy_usecnt. */
  usecnt = 0;
  /** Gone: destroyed by the user or by a teardown. */
  destroyed = false;
  /** Uobject handle `id` of kind `kind` in `ufile`. */
  constructor(
    readonly id: number,
    readonly kind: UobjectKind,
    readonly ufile: UverbsFile,
    /** What it holds (released at destroy). */
    readonly parents: Uobject[],
    readonly data: UobjectData,
  ) {}
}

/** ib_umem: the pinned pages of an MR or of a CQ/QP buffer. */
export interface Umem {
  /** The mm the pages were pinned in. */
  mm: Mm;
  /** The user address of the range. */
  addr: number;
  /** Length of the range in bytes. */
  length: number;
  /** The pinned pages, in address order (empty for ODP). */
  pages: GupPage[];
  /** The device may write the pages (a writable access flag). */
  writable: boolean;
  /** An ODP MR's state (ib_umem_odp, lib/drivers/rdma/odp.ts): no pages pinned. */
  odp?: IbUmemOdp;
}

/** What a uobject carries. */
export type UobjectData =
  | { kind: "async_event"; file: AsyncEventFile }
  | { kind: "pd" }
  | { kind: "mr"; umem: Umem; lkey: number; rkey: number; access: number }
  | { kind: "cq"; umem: Umem; cqe: number }
  | { kind: "qp"; umem: Umem; qpn: number; sendCq: Uobject; recvCq: Uobject };

/**
 * struct ib_uverbs_async_event_file: the `[infinibandevent]` file whose
 * reads return ib_uverbs_async_event_desc records.
 */
export class AsyncEventFile {
  /** Queued events not yet read. */
  readonly events: AsyncEventDesc[] = [];
  /** ev_queue.is_closed: set when the fd is released. */
  isClosed = false;
  /** poll_wait: readers sleep here (ib_uverbs_event_read). */
  readonly wq: WaitQueue;
  /** Async event file `id` of `ufile`. */
  constructor(readonly ufile: UverbsFile, readonly id: number) {
    this.wq = new WaitQueue(`uverbs async ${id}`);
  }
}

/** struct ib_uverbs_file: one open of /dev/infiniband/uverbsN. */
export class UverbsFile {
  /** The user context (ib_ucontext) once IB_USER_VERBS_CMD_GET_CONTEXT ran, else null. */
  ucontext: Ucontext | null = null;
  /** uobjects, in creation order (uverbs_destroy_ufile_hw walks them). */
  readonly uobjects: Uobject[] = [];
  /** umaps: the live VMAs of this file. */
  readonly umaps: Set<RdmaUmapPriv> = new Set();
  /** The page rdma_umap_fault() maps into writable dead mappings; -1 until the first. */
  disassociatePage: number = -1;
  /**
   * Every dummy page handed out, by scope key (`file`; per VMA or per
   * address under the teaching scopes of `rdma.dummyPageScope`): the
   * driver holds one reference on each until the file is released.
   */
  readonly dummyPages: Map<string, number> = new Map();
  /** kref: the command fd's file plus one per async event file not yet released. */
  refs = 1;
  /** The next uobject handle (the per-file idr). */
  nextHandle = 0;
  /** Set once the device went away under this file (ufile->ucontext gone, hw destroyed). */
  disassociated = false;
  /** The default async event file (the first one allocated). */
  defaultAsync: AsyncEventFile | null = null;
  /** Every async event file of this ufile (each gets DEVICE_FATAL). */
  readonly asyncFiles: AsyncEventFile[] = [];
  /** A release already ran (fput of the last reference). */
  released = false;
  /** The ufile of open file `file` of `device`. */
  constructor(readonly device: UverbsDevice, readonly file: OpenFile) {}
}

/** struct ib_uverbs_device: the char device of one IbDevice. */
export class UverbsDevice {
  /** Open files, in open order (lists_mutex protected uverbs_file_list). */
  readonly files: UverbsFile[] = [];
  /** refcount: the device's own (dropped at remove_one) plus one per open file. */
  refcount = 1;
  /** filp->private_data: the ufile of each open file. */
  readonly byFile: Map<OpenFile, UverbsFile> = new Map();
  /** ib_dev: cleared by ib_uverbs_free_hw_resources() / remove_one. */
  ibDev: IbDevice | null;
  /** cdev_device_del() ran: the node is gone (refcount already dropped). */
  removed = false;
  /** The inode of /dev/infiniband/uverbsN. */
  inode: Inode | null = null;
  /**
   * A removal waits for every file to close (the driver has no
   * disassociate_ucontext): called when the last one is released.
   */
  onLastClose: (() => void) | null = null;
  /** The char device `devnum` of `ibDev`; its umems pin with `pins`. */
  constructor(
    readonly machine: Machine,
    readonly devnum: number,
    ibDev: IbDevice,
    readonly pins: PinApi,
  ) {
    this.ibDev = ibDev;
  }

  /** The device node, /dev/infiniband/uverbsN. */
  get path(): string {
    return `/dev/infiniband/uverbs${this.devnum}`;
  }
}
