/**
 * drivers/tty/tty_io.c: tty_fops, the file operations of a terminal
 * (`/dev/pts/0` behind fds 0-2): no ->mmap (mmap is ENODEV); of the
 * ioctls only TIOCINQ (= FIONREAD) is modelled: a terminal with no input
 * has 0 bytes waiting (n_tty_ioctl). Others are ENOTTY here.
 * @module
 */

import { EFAULT } from "../abi/errno.ts";
import { FIONREAD } from "../abi/ioctl.ts";
import { putUserArg, type UserArg } from "../mm/uaccess.ts";
import type { Process } from "../proc/process.ts";
import { ENOIOCTLCMD, type FileOperations } from "../mm/file_operations.ts";
import type { OpenFile } from "./file.ts";

function ttyIoctl(p: Process, _file: OpenFile, cmd: number, arg: UserArg): number {
  if (cmd === FIONREAD) return putUserArg(p, arg, new Uint8Array(4)) ? 0 : -EFAULT;
  return -ENOIOCTLCMD;
}

/** tty_fops */
export const TTY_FOPS: FileOperations = {
  name: "tty_fops",
  fopFlags: 0,
  nonseekable: true, // tty_open(): nonseekable_open()
  ioctl: ttyIoctl,
  // A terminal nobody types into: EOF; output is all taken.
  read: () => new Uint8Array(0),
  write: (_p, _f, _data, count) => count,
};
