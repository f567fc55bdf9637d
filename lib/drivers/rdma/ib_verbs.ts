/**
 * The RDMA user ABI the uverbs driver and libibverbs share
 * (include/uapi/rdma/ib_user_verbs.h, include/rdma/ib_verbs.h,
 * libibverbs/verbs.h): access flags, async event types, and the 16-byte
 * event record a read of the async event fd returns.
 *
 * ```
 *  struct ib_uverbs_async_event_desc (16 bytes, little endian)
 *  0            8              12           16
 *  +------------+--------------+------------+
 *  | element u64| event_type u32| reserved u32|
 *  +------------+--------------+------------+
 * ```
 * @module
 */

/** enum ib_access_flags (= enum ibv_access_flags). */
export const IB_ACCESS_LOCAL_WRITE = 1;
export const IB_ACCESS_REMOTE_WRITE = 1 << 1;
export const IB_ACCESS_REMOTE_READ = 1 << 2;
export const IB_ACCESS_REMOTE_ATOMIC = 1 << 3;
export const IB_ACCESS_MW_BIND = 1 << 4;
export const IB_ACCESS_ZERO_BASED = 1 << 5;
export const IB_ACCESS_ON_DEMAND = 1 << 6;

/** Names for the REPL (IBV_ACCESS_*), lowest bit first. */
export const IBV_ACCESS_NAMES: ReadonlyArray<readonly [string, number]> = [
  ["IBV_ACCESS_LOCAL_WRITE", IB_ACCESS_LOCAL_WRITE],
  ["IBV_ACCESS_REMOTE_WRITE", IB_ACCESS_REMOTE_WRITE],
  ["IBV_ACCESS_REMOTE_READ", IB_ACCESS_REMOTE_READ],
  ["IBV_ACCESS_REMOTE_ATOMIC", IB_ACCESS_REMOTE_ATOMIC],
  ["IBV_ACCESS_MW_BIND", IB_ACCESS_MW_BIND],
  ["IBV_ACCESS_ZERO_BASED", IB_ACCESS_ZERO_BASED],
  ["IBV_ACCESS_ON_DEMAND", IB_ACCESS_ON_DEMAND],
];

/**
 * include/rdma/ib_umem.h ib_access_writable(): the MR may be written by the
 * device, so its pages are pinned FOLL_WRITE.
 */
export function ibAccessWritable(access: number): boolean {
  return (access &
    (IB_ACCESS_LOCAL_WRITE | IB_ACCESS_REMOTE_WRITE | IB_ACCESS_REMOTE_ATOMIC |
      IB_ACCESS_MW_BIND)) !== 0;
}

/** enum ib_event_type (= enum ibv_event_type), the values mmlab raises. */
export const IB_EVENT_CQ_ERR = 0;
export const IB_EVENT_QP_FATAL = 1;
export const IB_EVENT_PORT_ACTIVE = 9;
export const IB_EVENT_DEVICE_FATAL = 8;
export const IB_EVENT_PORT_ERR = 10;

/** libibverbs' names of the event types (ibv_event_type_str uses prose; these are the enum names). */
export const IBV_EVENT_NAMES: Readonly<Record<number, string>> = {
  [IB_EVENT_CQ_ERR]: "IBV_EVENT_CQ_ERR",
  [IB_EVENT_QP_FATAL]: "IBV_EVENT_QP_FATAL",
  [IB_EVENT_DEVICE_FATAL]: "IBV_EVENT_DEVICE_FATAL",
  [IB_EVENT_PORT_ACTIVE]: "IBV_EVENT_PORT_ACTIVE",
  [IB_EVENT_PORT_ERR]: "IBV_EVENT_PORT_ERR",
};

/** sizeof(struct ib_uverbs_async_event_desc) */
export const ASYNC_EVENT_DESC_SIZE = 16;

/** One queued async event. */
export interface AsyncEventDesc {
  /** The element the event names (0 for a device-wide event). */
  element: bigint;
  /** IB_EVENT_* type. */
  eventType: number;
}

/** The desc as the read() of the async fd copies it out. */
export function encodeAsyncEvent(e: AsyncEventDesc): Uint8Array {
  const b = new Uint8Array(ASYNC_EVENT_DESC_SIZE);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, e.element, true);
  v.setUint32(8, e.eventType, true);
  return b;
}

/** The desc from 16 bytes read from the async fd. */
export function decodeAsyncEvent(b: Uint8Array): AsyncEventDesc {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { element: v.getBigUint64(0, true), eventType: v.getUint32(8, true) };
}

/**
 * enum rdma_remove_reason (include/rdma/ib_verbs.h): why a uobject is
 * destroyed. DESTROY is the user's destroy verb (may fail -EBUSY while in
 * use), CLOSE the file's release, DRIVER_REMOVE the device going away,
 * ABORT a failed create.
 */
export type RemoveReason = "DESTROY" | "CLOSE" | "DRIVER_REMOVE" | "ABORT";
