/**
 * include/uapi/linux/userfaultfd.h: struct uffd_msg, what read() of a
 * userfaultfd hands back, 32 bytes each:
 * ```
 *   0       1       2       4               8                              32
 *  +-------+-------+-------+---------------+------------------------------+
 *  | event | rsvd1 | rsvd2 |     rsvd3     | arg (a union, 24 bytes)      |
 *  +-------+-------+-------+---------------+------------------------------+
 * ```
 * arg is pagefault {u64 flags, u64 address, union feat {u32 ptid}}, fork
 * {u32 ufd}, remap {u64 from, to, len}, remove {u64 start, end} (REMOVE
 * and UNMAP), reserved {u64 reserved1..3}. strace prints a read()'s buffer
 * as a string and has no decoder for it; mmlab prints the messages in
 * strace's struct form instead:
 * `{event=UFFD_EVENT_PAGEFAULT, pagefault={flags=UFFD_PAGEFAULT_FLAG_WRITE, address=0x7f0000001000, feat={ptid=0}}}`.
 * @module
 */

import { formatFlags } from "./ioctl.ts";

/** sizeof(struct uffd_msg) */
const MSG_SIZE = 32;

/** UFFD_EVENT_* by number. */
const EVENTS: ReadonlyMap<number, string> = new Map([
  [0x12, "UFFD_EVENT_PAGEFAULT"],
  [0x13, "UFFD_EVENT_FORK"],
  [0x14, "UFFD_EVENT_REMAP"],
  [0x15, "UFFD_EVENT_REMOVE"],
  [0x16, "UFFD_EVENT_UNMAP"],
]);

/** UFFD_PAGEFAULT_FLAG_* */
const PAGEFAULT_FLAGS: readonly (readonly [string, bigint])[] = [
  ["UFFD_PAGEFAULT_FLAG_WRITE", 1n],
  ["UFFD_PAGEFAULT_FLAG_WP", 2n],
  ["UFFD_PAGEFAULT_FLAG_MINOR", 4n],
];

const hex = (v: bigint): string => v === 0n ? "0" : `0x${v.toString(16)}`;

/**
 * One message as strace would print the struct, or null when the bytes
 * are not one the kernel writes (an unknown event, a reserved byte or an
 * unused part of the union not 0).
 */
function formatMsg(dv: DataView, at: number): string | null {
  const name = EVENTS.get(dv.getUint8(at));
  if (name === undefined) return null;
  if (dv.getUint8(at + 1) !== 0 || dv.getUint16(at + 2, true) !== 0) return null;
  if (dv.getUint32(at + 4, true) !== 0) return null;
  const u64 = (off: number) => dv.getBigUint64(at + off, true);
  const zeroFrom = (off: number) => {
    for (let i = off; i < MSG_SIZE; i++) if (dv.getUint8(at + i) !== 0) return false;
    return true;
  };
  switch (name) {
    case "UFFD_EVENT_PAGEFAULT": {
      if (!zeroFrom(28)) return null;
      const flags = formatFlags(u64(8), PAGEFAULT_FLAGS);
      const ptid = dv.getUint32(at + 24, true);
      return `{event=${name}, pagefault={flags=${flags}, address=${hex(u64(16))}, ` +
        `feat={ptid=${ptid}}}}`;
    }
    case "UFFD_EVENT_FORK":
      if (!zeroFrom(12)) return null;
      return `{event=${name}, fork={ufd=${dv.getUint32(at + 8, true)}}}`;
    case "UFFD_EVENT_REMAP":
      return `{event=${name}, remap={from=${hex(u64(8))}, to=${hex(u64(16))}, len=${u64(24)}}}`;
    default:
      if (!zeroFrom(24)) return null;
      return `{event=${name}, remove={start=${hex(u64(8))}, end=${hex(u64(16))}}}`;
  }
}

/**
 * The `struct uffd_msg`s of a read() of a userfaultfd, decoded: one as
 * `{...}`, several as `[{...}, {...}]`; null when `bytes` is not a whole
 * number of messages the kernel could have written (print it as bytes).
 */
export function formatUffdMsgs(bytes: Uint8Array): string | null {
  if (bytes.length === 0 || bytes.length % MSG_SIZE !== 0) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += MSG_SIZE) {
    const s = formatMsg(dv, at);
    if (s === null) return null;
    out.push(s);
  }
  return out.length === 1 ? out[0] : `[${out.join(", ")}]`;
}

/** The ufd of each UFFD_EVENT_FORK message in `bytes` (the child contexts' new fds). */
export function uffdMsgForkFds(bytes: Uint8Array): number[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let at = 0; at + MSG_SIZE <= bytes.length; at += MSG_SIZE) {
    if (dv.getUint8(at) === 0x13) out.push(dv.getUint32(at + 8, true));
  }
  return out;
}
