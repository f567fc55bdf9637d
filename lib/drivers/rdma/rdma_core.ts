/**
 * drivers/infiniband/core/rdma_core.c: user objects (uobjects) and their
 * teardown. A uobject is destroyed by its destroy verb (RDMA_REMOVE_DESTROY,
 * refused with -EBUSY while other objects use it), when its file is closed
 * (RDMA_REMOVE_CLOSE), or when the device goes away
 * (RDMA_REMOVE_DRIVER_REMOVE): then uverbs_destroy_ufile_hw() destroys every
 * object, queues IB_EVENT_DEVICE_FATAL on each async event file, zaps
 * every mapping and lets the driver disassociate.
 * @module
 */

import { EBUSY, EINVAL, EIO } from "../../abi/errno.ts";
import type { KnobValue } from "../../policy.ts";
import { IB_EVENT_DEVICE_FATAL, type RemoveReason } from "./ib_verbs.ts";
import { ibUmemRelease } from "./umem.ts";
import { uverbsUserMmapDisassociate } from "./ib_core_uverbs.ts";
import type { AsyncEventFile, Uobject, UverbsFile } from "./uverbs.ts";

/**
 * Policy `rdma.asyncEventOnLoss`: whether destroying an async event file
 * for DRIVER_REMOVE queues IB_EVENT_DEVICE_FATAL
 * (uverbs_async_event_destroy_uobj), or the application hears nothing.
 */
const FATAL_EVENT: Record<KnobValue<"rdma.asyncEventOnLoss">, boolean> = {
  "device-fatal": true,
  none: false,
};

/** ib_uverbs_async_handler(): queues an event and wakes readers. */
export function queueAsyncEvent(ev: AsyncEventFile, element: bigint, eventType: number): void {
  if (ev.isClosed) return;
  ev.events.push({ element, eventType });
  ev.ufile.device.machine.sched.wakeAll(ev.wq);
}

/**
 * rdma_lookup_get_uobject(): the live object `id` of this file for a
 * command. Once the device is gone every command but a destroy is -EIO
 * ("block every command except for DESTROY based commands").
 */
export function lookupUobject(
  ufile: UverbsFile,
  id: number,
  destroy: boolean,
): Uobject | number {
  if (!destroy && ufile.device.ibDev === null) return -EIO;
  const u = ufile.uobjects.find((o) => o.id === id);
  if (u === undefined) return -EINVAL;
  return u;
}

/**
 * uverbs_destroy_uobject(): destroys the hardware object (once) and, for
 * DESTROY, the handle too. A DESTROY of an object the device loss already
 * destroyed just drops the handle: 0.
 */
export function destroyUobject(u: Uobject, why: RemoveReason, retryable: boolean): number {
  const ufile = u.ufile;
  if (!u.destroyed) {
    // ib_destroy_usecnt(): objects still in use refuse a DESTROY, and the
    // first (retryable) cleanup pass of a close or device loss.
    if (u.usecnt > 0 && (why === "DESTROY" || retryable)) return -EBUSY;
    destroyHw(u, why);
    u.destroyed = true;
    for (const p of u.parents) p.usecnt--;
  }
  if (why === "DESTROY" || why === "CLOSE") {
    const i = ufile.uobjects.indexOf(u);
    if (i >= 0) ufile.uobjects.splice(i, 1);
  }
  return 0;
}

/** The type's destroy_hw: release what the object holds. */
function destroyHw(u: Uobject, why: RemoveReason): void {
  const d = u.data;
  const pins = u.ufile.device.pins;
  switch (d.kind) {
    case "async_event": {
      // uverbs_async_event_destroy_uobj()
      const m = u.ufile.device.machine;
      if (why === "DRIVER_REMOVE" && FATAL_EVENT[m.policy("rdma.asyncEventOnLoss")]) {
        queueAsyncEvent(d.file, 0n, IB_EVENT_DEVICE_FATAL);
      }
      return;
    }
    case "pd":
      return;
    case "mr":
    case "cq":
    case "qp":
      // ib_dereg_mr / ib_destroy_cq / ib_destroy_qp -> ib_umem_release(): unpin.
      ibUmemRelease(pins, d.umem);
      return;
  }
}

/**
 * __uverbs_cleanup_ufile(): one pass over the file's objects in creation
 * order; objects others still use are skipped on the retryable pass.
 * Returns true when every object went.
 */
function cleanupPass(ufile: UverbsFile, why: RemoveReason, retryable: boolean): boolean {
  let left = false;
  for (const u of [...ufile.uobjects]) {
    if (u.destroyed && why === "DRIVER_REMOVE") continue;
    if (destroyUobject(u, why, retryable) !== 0) left = true;
  }
  return !left;
}

/**
 * uverbs_destroy_ufile_hw() under hw_destroy_rwsem (write): with no
 * ucontext there is nothing to do; else every object is destroyed (a
 * retryable pass, then a forced one), then ufile_destroy_ucontext(): on
 * device loss the mappings are zapped (uverbs_user_mmap_disassociate,
 * under mmap_read_lock) and the driver's disassociate_ucontext runs, then
 * dealloc_ucontext and ucontext = NULL.
 */
export function uverbsDestroyUfileHw(ufile: UverbsFile, why: RemoveReason): void {
  const uctx = ufile.ucontext;
  if (uctx === null) return;
  if (!cleanupPass(ufile, why, true)) cleanupPass(ufile, why, false);
  const dev = uctx.device;
  if (why === "DRIVER_REMOVE") {
    uverbsUserMmapDisassociate(ufile);
    dev.ops.disassociateUcontext?.(uctx);
    ufile.disassociated = true;
  }
  dev.ops.deallocUcontext(uctx);
  ufile.ucontext = null;
}
