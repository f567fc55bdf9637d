/**
 * Linux errno values (x86-64, `include/uapi/asm-generic/errno-base.h` and
 * `errno.h`) with the glibc `strerror()` text that strace prints after them.
 *
 * Syscalls in lib/ return `-errno` on failure, like the raw kernel ABI.
 *
 * @example
 * ```ts
 * import { EINVAL, errnoName, strerror } from "./errno.ts";
 * console.log(errnoName(EINVAL), strerror(EINVAL)); // EINVAL Invalid argument
 * ```
 * @module
 */

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ETXTBSY = 26;
export const EFBIG = 27;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const EROFS = 30;
export const ERANGE = 34;
export const ENAMETOOLONG = 36;
export const ENOSYS = 38;
export const EOVERFLOW = 75;
export const EOPNOTSUPP = 95;
export const EREMOTEIO = 121;
export const EHWPOISON = 133;

const TABLE: ReadonlyArray<readonly [number, string, string]> = [
  [EPERM, "EPERM", "Operation not permitted"],
  [ENOENT, "ENOENT", "No such file or directory"],
  [ESRCH, "ESRCH", "No such process"],
  [EINTR, "EINTR", "Interrupted system call"],
  [EIO, "EIO", "Input/output error"],
  [ENXIO, "ENXIO", "No such device or address"],
  [E2BIG, "E2BIG", "Argument list too long"],
  [ENOEXEC, "ENOEXEC", "Exec format error"],
  [EBADF, "EBADF", "Bad file descriptor"],
  [ECHILD, "ECHILD", "No child processes"],
  [EAGAIN, "EAGAIN", "Resource temporarily unavailable"],
  [ENOMEM, "ENOMEM", "Cannot allocate memory"],
  [EACCES, "EACCES", "Permission denied"],
  [EFAULT, "EFAULT", "Bad address"],
  [EBUSY, "EBUSY", "Device or resource busy"],
  [EEXIST, "EEXIST", "File exists"],
  [ENODEV, "ENODEV", "No such device"],
  [ENOTDIR, "ENOTDIR", "Not a directory"],
  [EISDIR, "EISDIR", "Is a directory"],
  [EINVAL, "EINVAL", "Invalid argument"],
  [ENFILE, "ENFILE", "Too many open files in system"],
  [EMFILE, "EMFILE", "Too many open files"],
  [ENOTTY, "ENOTTY", "Inappropriate ioctl for device"],
  [ETXTBSY, "ETXTBSY", "Text file busy"],
  [EFBIG, "EFBIG", "File too large"],
  [ENOSPC, "ENOSPC", "No space left on device"],
  [ESPIPE, "ESPIPE", "Illegal seek"],
  [EROFS, "EROFS", "Read-only file system"],
  [ERANGE, "ERANGE", "Numerical result out of range"],
  [ENAMETOOLONG, "ENAMETOOLONG", "File name too long"],
  [ENOSYS, "ENOSYS", "Function not implemented"],
  [EOVERFLOW, "EOVERFLOW", "Value too large for defined data type"],
  [EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported"],
  [EREMOTEIO, "EREMOTEIO", "Remote I/O error"],
  [EHWPOISON, "EHWPOISON", "Memory page has hardware error"],
];

const NAMES = new Map<number, string>(TABLE.map(([n, name]) => [n, name]));
const TEXTS = new Map<number, string>(TABLE.map(([n, , text]) => [n, text]));
const BY_NAME = new Map<string, number>(TABLE.map(([n, name]) => [name, n]));

/** The symbolic name of an errno (`EINVAL`), or `E<n>` for an unknown one. */
export function errnoName(errno: number): string {
  return NAMES.get(errno) ?? `E${errno}`;
}

/** glibc's `strerror()` text for an errno. */
export function strerror(errno: number): string {
  return TEXTS.get(errno) ?? `Unknown error ${errno}`;
}

/** The errno value for a name such as `"ENOMEM"`, or undefined. */
export function errnoByName(name: string): number | undefined {
  return BY_NAME.get(name);
}

/** True for a raw syscall return value that encodes an error (-4095..-1). */
export function isErr(ret: number): boolean {
  return ret < 0 && ret >= -4095;
}
