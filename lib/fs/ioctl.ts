/**
 * ioctl(2): fs/ioctl.c SYSCALL_DEFINE3(ioctl) -> do_vfs_ioctl() ->
 * vfs_ioctl() -> f_op->unlocked_ioctl. Order: a bad fd (or an O_PATH one)
 * is EBADF; the VFS answers its own requests first (FIOCLEX, FIONCLEX,
 * FIONBIO, FIOASYNC, FIGETBSZ, FIONREAD on regular files,
 * FS_IOC_GETFLAGS/FS_IOC_FSGETXATTR through i_op->fileattr_get); anything
 * else goes to the file's ->ioctl, and a file without one, or one that
 * does not know the request (-ENOIOCTLCMD), gives ENOTTY. Checked on
 * 6.18.44 for ext4 files and directories, memfds and a pty.
 * @module
 */

import { EBADF, EFAULT, EINVAL, ENOTTY } from "../abi/errno.ts";
import {
  FIGETBSZ,
  FIOASYNC,
  FIOCLEX,
  FIONBIO,
  FIONCLEX,
  FIONREAD,
  FS_IOC_FSGETXATTR,
  FS_IOC_GETFLAGS,
  FSXATTR,
} from "../abi/ioctl.ts";
import { getUserArg, putUserArg, type UserArg } from "../mm/uaccess.ts";
import type { Process } from "../proc/process.ts";
import { ENOIOCTLCMD } from "../mm/file_operations.ts";
import type { OpenFile } from "./file.ts";
import { fdget } from "./syscalls.ts";

/** include/uapi/asm-generic/fcntl.h */
const O_NONBLOCK = 0o4000;
const FASYNC = 0o20000;
/** s_blocksize of every filesystem mmlab has (ext4 4 KiB blocks, tmpfs, devpts). */
const BLOCK_SIZE = 4096;

function putInt(p: Process, arg: UserArg, v: number): number {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v, true);
  return putUserArg(p, arg, b) ? 0 : -EFAULT;
}

function getInt(p: Process, arg: UserArg): number | null {
  const b = getUserArg(p, arg, 4);
  return b === null ? null : new DataView(b.buffer, b.byteOffset).getInt32(0, true);
}

/** An ioctl argument from a raw register or a literal. */
export function userArg(a: bigint | number | UserArg | Uint8Array): UserArg {
  // A string for a char * argument (VFIO_GROUP_GET_DEVICE_FD): its bytes and the NUL.
  if (a instanceof Uint8Array) return { value: 0n, literal: Uint8Array.of(...a, 0) };
  if (typeof a === "object") return a;
  return { value: BigInt.asUintN(64, BigInt(a)), literal: null };
}

/** fs/ioctl.c vfs_ioctl(): f_op->unlocked_ioctl, ENOTTY without one. */
function vfsIoctl(p: Process, f: OpenFile, cmd: number, arg: UserArg): number {
  if (f.fop.ioctl === undefined) return -ENOTTY;
  const r = f.fop.ioctl(p, f, cmd, arg);
  return r === -ENOIOCTLCMD ? -ENOTTY : r;
}

/** fs/ioctl.c do_vfs_ioctl(): the requests every file answers; -ENOIOCTLCMD otherwise. */
function doVfsIoctl(p: Process, f: OpenFile, fd: number, cmd: number, arg: UserArg): number {
  const inode = f.inode;
  switch (cmd) {
    case FIOCLEX:
      p.closeOnExec.add(fd);
      return 0;
    case FIONCLEX:
      p.closeOnExec.delete(fd);
      return 0;
    case FIONBIO:
    case FIOASYNC: {
      // ioctl_fionbio() / ioctl_fioasync(): get_user(int), then f_flags.
      const on = getInt(p, arg);
      if (on === null) return -EFAULT;
      const bit = cmd === FIONBIO ? O_NONBLOCK : FASYNC;
      f.flags = on !== 0 ? f.flags | bit : f.flags & ~bit;
      return 0;
    }
    case FIGETBSZ:
      return putInt(p, arg, BLOCK_SIZE);
    case FIONREAD:
      // Regular files: i_size - f_pos, as an int; others ask the driver.
      if (inode.kind !== "regular" && inode.kind !== "shmem") return vfsIoctl(p, f, cmd, arg);
      return putInt(p, arg, Number(BigInt.asIntN(32, BigInt(inode.size) - f.pos)));
    case FS_IOC_GETFLAGS: {
      // ioctl_getflags() -> vfs_fileattr_get(): no i_op->fileattr_get is -ENOIOCTLCMD.
      if (inode.iop.fileattrGet === undefined) return -ENOIOCTLCMD;
      return putInt(p, arg, inode.iop.fileattrGet(inode));
    }
    case FS_IOC_FSGETXATTR: {
      // ioctl_fsgetxattr(): fsx_xflags from the flags (no FS_*_FL mmlab sets maps to one).
      if (inode.iop.fileattrGet === undefined) return -ENOIOCTLCMD;
      return putUserArg(p, arg, new Uint8Array(FSXATTR.size)) ? 0 : -EFAULT;
    }
  }
  return -ENOIOCTLCMD;
}

/**
 * ioctl(fd, request, arg). `arg` is the register value, or a
 * {@link UserArg} whose literal stands in for the memory it points to;
 * a literal comes back in `data` with whatever the kernel wrote into it.
 */
export function sysIoctl(
  p: Process,
  fdArg: bigint | number,
  cmdArg: bigint | number,
  argArg: bigint | number | UserArg | Uint8Array = 0n,
): { ret: number; data?: Uint8Array } {
  const fd = Number(BigInt.asIntN(32, BigInt(fdArg)));
  // unsigned int cmd
  const cmd = Number(BigInt.asUintN(32, BigInt(cmdArg)));
  const arg = userArg(argArg);
  const f = fdget(p, fd);
  if (f === undefined) return { ret: -EBADF };
  let r = doVfsIoctl(p, f, fd, cmd, arg);
  if (r === -ENOIOCTLCMD) r = vfsIoctl(p, f, cmd, arg);
  if (r === -ENOIOCTLCMD) r = -EINVAL; // never reaches user space
  return arg.literal === null ? { ret: r } : { ret: r, data: arg.literal };
}
