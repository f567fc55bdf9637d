/**
 * Kernel access to user memory: copy_to_user()/copy_from_user()
 * (arch/x86/lib/usercopy_64.c, fixups via the exception tables). A fault
 * that cannot be resolved makes the copy stop short instead of raising a
 * signal; syscalls turn the short copy into -EFAULT.
 * @module
 */

import type { Process } from "../proc/process.ts";
import { TASK_SIZE } from "../abi/layout.ts";
import { translate } from "./access.ts";
import { decodeStruct, type StructLayout, type StructValue } from "../abi/ioctl.ts";

/**
 * Copies `data` into user memory at `addr`. Returns the number of bytes NOT
 * copied (0 on success), like copy_to_user().
 */
export function copyToUser(p: Process, addr: number, data: Uint8Array): number {
  const frames = p.machine.frames;
  let done = 0;
  while (done < data.length) {
    const a = addr + done;
    if (a < 0 || a >= TASK_SIZE) break;
    const pfn = translate(p, p.mm, a, "write");
    if (typeof pfn !== "number") break;
    const off = a % 4096;
    const n = Math.min(data.length - done, 4096 - off);
    // A device page (a BAR) takes the stores into its register model, as the CPU's do.
    const io = pfn >= frames.nframes ? p.machine.iomem.mmioAt(pfn * 4096 + off) : null;
    if (io !== null) io.ops.write(io.off, data.subarray(done, done + n));
    else for (let i = 0; i < n; i++) frames.writeByte(pfn, off + i, data[done + i]);
    done += n;
  }
  return data.length - done;
}

/**
 * Reads `len` bytes of user memory at `addr`; returns the bytes read before
 * the first unresolvable fault (shorter than `len` on failure), like
 * copy_from_user().
 */
export function copyFromUser(p: Process, addr: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  return out.subarray(0, copyFromUserInto(p, addr, out));
}

/**
 * copy_from_user() into a caller's buffer (a kernel stack buffer, reused):
 * fills `out` from user memory at `addr`; returns the bytes copied before
 * the first unresolvable fault (`out.length` on success). Bytes past them
 * are left as they were.
 */
export function copyFromUserInto(p: Process, addr: number, out: Uint8Array): number {
  const frames = p.machine.frames;
  const len = out.length;
  let done = 0;
  while (done < len) {
    const a = addr + done;
    if (a < 0 || a >= TASK_SIZE) break;
    const pfn = translate(p, p.mm, a, "read");
    if (typeof pfn !== "number") break;
    const off = a % 4096;
    const n = Math.min(len - done, 4096 - off);
    const io = pfn >= frames.nframes ? p.machine.iomem.mmioAt(pfn * 4096 + off) : null;
    if (io !== null) out.set(io.ops.read(io.off, n), done);
    else {
      const b = frames.peekBytes(pfn);
      if (b === undefined) out.fill(0, done, done + n);
      else out.set(off === 0 && n === b.length ? b : b.subarray(off, off + n), done);
    }
    done += n;
  }
  return done;
}

/**
 * An ioctl-style `unsigned long arg`: the register value, and, when the
 * caller wrote the struct itself (a REPL literal such as
 * `{range={start=a, len=16K}, mode=...}`), the bytes standing in for the
 * user memory it points to. Handlers read and write the argument through
 * {@link getUserArg}/{@link putUserArg} and never see the difference.
 */
export interface UserArg {
  /** The raw register value (a pointer or an int, by request). */
  readonly value: bigint;
  /** The struct written as a literal, or null for real user memory at `value`. */
  readonly literal: Uint8Array | null;
}

/** copy_from_user(&k, (void __user *)arg, len): the bytes, or null (-EFAULT). */
export function getUserArg(p: Process, arg: UserArg, len: number): Uint8Array | null {
  if (arg.literal !== null) {
    if (arg.literal.length < len) return null;
    return arg.literal.slice(0, len);
  }
  if (arg.value >= BigInt(TASK_SIZE)) return null;
  const got = copyFromUser(p, Number(arg.value), len);
  return got.length === len ? got : null;
}

/** copy_to_user((void __user *)arg, data): false on a fault (-EFAULT). */
export function putUserArg(p: Process, arg: UserArg, data: Uint8Array): boolean {
  if (arg.literal !== null) {
    if (arg.literal.length < data.length) return false;
    arg.literal.set(data);
    return true;
  }
  if (arg.value >= BigInt(TASK_SIZE)) return false;
  return copyToUser(p, Number(arg.value), data) === 0;
}

/**
 * copy_from_user() of a struct argument, decoded: its fields, or null
 * (-EFAULT). A literal is decoded where it is, with no copy (decoding
 * copies every field out).
 */
export function getUserStruct(p: Process, arg: UserArg, layout: StructLayout): StructValue | null {
  if (arg.literal !== null) {
    return arg.literal.length < layout.size ? null : decodeStruct(layout, arg.literal);
  }
  const b = getUserArg(p, arg, layout.size);
  return b === null ? null : decodeStruct(layout, b);
}

/**
 * put_user() of a u64 field at byte `off` of the struct argument: only
 * those 8 bytes are written. False on a fault (-EFAULT).
 */
export function putUserU64(p: Process, arg: UserArg, off: number, v: bigint): boolean {
  const lit = arg.literal;
  if (lit !== null) {
    if (lit.length < off + 8) return false;
    new DataView(lit.buffer, lit.byteOffset).setBigUint64(off, BigInt.asUintN(64, v), true);
    return true;
  }
  const addr = arg.value + BigInt(off);
  if (addr + 8n > BigInt(TASK_SIZE)) return false;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return copyToUser(p, Number(addr), b) === 0;
}
