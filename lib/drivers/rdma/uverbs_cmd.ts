/**
 * The uverbs commands libibverbs issues (drivers/infiniband/core/
 * uverbs_cmd.c and uverbs_std_types_*.c): GET_CONTEXT, ALLOC_PD, REG_MR,
 * CREATE_CQ, CREATE_QP and their destroys. Each takes the calling process
 * and the command fd's ufile and returns a handle (>= 0) or -errno, in the
 * kernel's check order. Once the device is gone every command but a
 * destroy is -EIO; a destroy of an object the device loss already
 * destroyed succeeds.
 * @module
 */

import { EBADF, EINVAL, EIO, ENOTTY } from "../../abi/errno.ts";
import type { Process } from "../../proc/process.ts";
import {
  IB_ACCESS_LOCAL_WRITE,
  IB_ACCESS_ON_DEMAND,
  IB_ACCESS_REMOTE_ATOMIC,
  IB_ACCESS_REMOTE_WRITE,
} from "./ib_verbs.ts";
import { ibUmemGet } from "./umem.ts";
import { destroyUobject, lookupUobject } from "./rdma_core.ts";
import { asyncEventAlloc, getUcontextFile, ufileOf } from "./uverbs_main.ts";
import type { Mlx5Ib } from "./mlx5.ts";
import { Ucontext, Uobject, type UobjectKind, type UverbsFile } from "./uverbs.ts";
import type { PciDev } from "../../pci/device.ts";
import { ibUmemOdpGet } from "./odp.ts";

/** The uverbs file behind `fd`: -EBADF for a free slot, -ENOTTY for another file. */
export function uverbsFileOfFd(p: Process, fd: number): UverbsFile | number {
  const f = fd >= 0 && fd < p.fds.length ? p.fds[fd] : undefined;
  if (f === undefined) return -EBADF;
  return ufileOf(f) ?? -ENOTTY;
}

/** What GET_CONTEXT hands back. */
export interface ContextResp {
  /** The mmap offset of the context's UAR page (its entry's pgoff << 12). */
  uarOffset: number;
  /** The async event fd (UVERBS_METHOD_ASYNC_EVENT_ALLOC), or -errno. */
  asyncFd: number;
}

/**
 * UVERBS_METHOD_GET_CONTEXT (ib_alloc_ucontext + ib_init_ucontext):
 * -EIO once the device is gone, -EINVAL if the file has a context already;
 * the driver's alloc_ucontext inserts the UAR entry. With `withAsync`,
 * libibverbs' ASYNC_EVENT_ALLOC follows (the context's async fd).
 */
export function cmdGetContext(
  p: Process,
  ufile: UverbsFile,
  withAsync: boolean,
): ContextResp | number {
  const dev = ufile.device.ibDev;
  if (dev === null) return -EIO;
  if (ufile.ucontext !== null) return -EINVAL;
  const uctx = new Ucontext(ufile, dev);
  const err = dev.ops.allocUcontext(uctx);
  if (err) return err;
  ufile.ucontext = uctx;
  const asyncFd = withAsync ? asyncEventAlloc(p, ufile) : -EINVAL;
  const e = uctx.driver.uarEntry;
  return { uarOffset: e === null ? 0 : e.startPgoff * 4096, asyncFd };
}

/**
 * rdma_alloc_begin_uobject(): a new object needs the device (-EIO) and a
 * context (-EINVAL).
 */
function allocBegin(ufile: UverbsFile): number {
  const uctx = getUcontextFile(ufile);
  return typeof uctx === "number" ? uctx : 0;
}

function addUobject(
  ufile: UverbsFile,
  kind: UobjectKind,
  parents: Uobject[],
  data: Uobject["data"],
): Uobject {
  const u = new Uobject(ufile.nextHandle++, kind, ufile, parents, data);
  for (const q of parents) q.usecnt++;
  ufile.uobjects.push(u);
  return u;
}

/** A live object of `kind` for a create (-EIO after loss, -EINVAL if unknown). */
function getObj(ufile: UverbsFile, handle: number, kind: UobjectKind): Uobject | number {
  const u = lookupUobject(ufile, handle, false);
  if (typeof u === "number") return u;
  return u.kind === kind && !u.destroyed ? u : -EINVAL;
}

/** The mlx5 driver of the file's device. */
function mlx5Of(ufile: UverbsFile): Mlx5Ib {
  return ufile.ucontext!.device.ops as Mlx5Ib;
}

/** IB_USER_VERBS_CMD_ALLOC_PD: the PD's handle or -errno. */
export function cmdAllocPd(ufile: UverbsFile): number {
  const err = allocBegin(ufile);
  if (err) return err;
  return addUobject(ufile, "pd", [], { kind: "pd" }).id;
}

/** IB_ACCESS_* bits a verbs provider may pass (IB_ACCESS_SUPPORTED, the ones mmlab knows). */
const IB_ACCESS_SUPPORTED = 0x7f | (1 << 20);

/**
 * ib_check_mr_access(): unknown bits -EINVAL; remote write or atomic
 * without local write -EINVAL. (ON_DEMAND on a device without ODP is
 * -EOPNOTSUPP; mlx5 has ODP: lib/drivers/rdma/odp.ts.)
 */
function checkMrAccess(access: number): number {
  if (access & ~IB_ACCESS_SUPPORTED) return -EINVAL;
  if (
    (access & (IB_ACCESS_REMOTE_ATOMIC | IB_ACCESS_REMOTE_WRITE)) &&
    !(access & IB_ACCESS_LOCAL_WRITE)
  ) return -EINVAL;
  return 0;
}

/** What REG_MR hands back. */
export interface MrResp {
  handle: number;
  lkey: number;
  rkey: number;
}

/**
 * ib_uverbs_reg_mr(): start and hca_va must share their page offset
 * (-EINVAL); the object needs the device (-EIO); the access flags
 * (ib_check_mr_access); the PD (-EINVAL); then mlx5_ib_reg_user_mr ->
 * ib_umem_get() pins the pages (its errnos).
 */
export function cmdRegMr(
  p: Process,
  ufile: UverbsFile,
  pdHandle: number,
  addr: number,
  length: number,
  access: number,
): MrResp | number {
  let err = allocBegin(ufile);
  if (err) return err;
  err = checkMrAccess(access);
  if (err) return err;
  const pd = getObj(ufile, pdHandle, "pd");
  if (typeof pd === "number") return pd;
  // mlx5_ib_reg_user_mr(): ON_DEMAND -> create_user_odp_mr() -> ib_umem_odp_get().
  const umem = access & IB_ACCESS_ON_DEMAND
    ? ibUmemOdpGet(p, addr, length, access, nicOf(p, ufile))
    : ibUmemGet(p, ufile.device.pins, addr, length, access);
  if (typeof umem === "number") return umem;
  const key = mlx5Of(ufile).allocMkey();
  const u = addUobject(ufile, "mr", [pd], { kind: "mr", umem, lkey: key, rkey: key, access });
  return { handle: u.id, lkey: key, rkey: key };
}

/** mlx5's CQE size: 64 bytes. */
export const MLX5_CQE_SIZE = 64;

/**
 * ib_uverbs_create_cq() -> mlx5_ib_create_cq() -> create_cq_user(): the
 * CQ buffer libmlx5 allocated (cqe entries of 64 bytes) is pinned
 * writable (IB_ACCESS_LOCAL_WRITE: the device writes completions).
 */
export function cmdCreateCq(p: Process, ufile: UverbsFile, cqe: number, buf: number): number {
  const err = allocBegin(ufile);
  if (err) return err;
  if (cqe < 1 || cqe > 1 << 22) return -EINVAL;
  const umem = ibUmemGet(p, ufile.device.pins, buf, cqe * MLX5_CQE_SIZE, IB_ACCESS_LOCAL_WRITE);
  if (typeof umem === "number") return umem;
  return addUobject(ufile, "cq", [], { kind: "cq", umem, cqe }).id;
}

/** What CREATE_QP hands back. */
export interface QpResp {
  handle: number;
  qpn: number;
}

/**
 * ib_uverbs_create_qp() -> mlx5_ib_create_qp() -> create_user_qp(): PD
 * and CQs must be live (-EINVAL); the work queue buffer libmlx5 allocated
 * is pinned with access 0 (read-only: the device reads the WQEs).
 */
export function cmdCreateQp(
  p: Process,
  ufile: UverbsFile,
  pdHandle: number,
  sendCqHandle: number,
  recvCqHandle: number,
  buf: number,
  bufSize: number,
): QpResp | number {
  const err = allocBegin(ufile);
  if (err) return err;
  const pd = getObj(ufile, pdHandle, "pd");
  if (typeof pd === "number") return pd;
  const scq = getObj(ufile, sendCqHandle, "cq");
  if (typeof scq === "number") return scq;
  const rcq = getObj(ufile, recvCqHandle, "cq");
  if (typeof rcq === "number") return rcq;
  const umem = ibUmemGet(p, ufile.device.pins, buf, bufSize, 0);
  if (typeof umem === "number") return umem;
  const qpn = mlx5Of(ufile).allocQpn();
  const parents = scq === rcq ? [pd, scq] : [pd, scq, rcq];
  const u = addUobject(ufile, "qp", parents, { kind: "qp", umem, qpn, sendCq: scq, recvCq: rcq });
  return { handle: u.id, qpn };
}

/**
 * The destroy commands (DEREG_MR, DESTROY_QP, DESTROY_CQ, DEALLOC_PD):
 * rdma_lookup_get_uobject(UVERBS_LOOKUP_DESTROY) works after device loss;
 * an object still used by others is -EBUSY; a wrong handle -EINVAL.
 */
export function cmdDestroy(ufile: UverbsFile, handle: number, kind: UobjectKind): number {
  const u = lookupUobject(ufile, handle, true);
  if (typeof u === "number") return u;
  if (u.kind !== kind) return -EINVAL;
  return destroyUobject(u, "DESTROY", false);
}

/** The PCI function behind a file's device (the importer ODP faults name). */
function nicOf(p: Process, ufile: UverbsFile): PciDev | undefined {
  const bdf = ufile.device.ibDev?.hw.bdf;
  return bdf === undefined ? undefined : p.machine.pci.find(bdf);
}
