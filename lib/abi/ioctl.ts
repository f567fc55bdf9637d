/**
 * ioctl request numbers (include/uapi/asm-generic/ioctl.h, x86-64): a
 * request packs direction, argument size, type and number:
 * ```
 *   31 30 29          16 15       8 7        0
 *  +-----+--------------+----------+----------+
 *  | dir |     size     |   type   |    nr    |
 *  +-----+--------------+----------+----------+
 * ```
 * dir: _IOC_WRITE (1, user -> kernel), _IOC_READ (2, kernel -> user).
 * Old requests (FIONREAD, FIOCLEX: type 'T' = 0x54) predate the encoding
 * and carry neither direction nor size.
 * @module
 */

export const _IOC_NONE = 0;
export const _IOC_WRITE = 1;
export const _IOC_READ = 2;

/** _IOC(dir, type, nr, size) */
export function _IOC(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}
/** _IO(type, nr) */
export const _IO = (type: number, nr: number): number => _IOC(_IOC_NONE, type, nr, 0);
/** _IOR(type, nr, size): the kernel writes `size` bytes back. */
export const _IOR = (type: number, nr: number, size: number): number =>
  _IOC(_IOC_READ, type, nr, size);
/** _IOW(type, nr, size): the kernel reads `size` bytes. */
export const _IOW = (type: number, nr: number, size: number): number =>
  _IOC(_IOC_WRITE, type, nr, size);
/** _IOWR(type, nr, size) */
export const _IOWR = (type: number, nr: number, size: number): number =>
  _IOC(_IOC_READ | _IOC_WRITE, type, nr, size);

/** _IOC_DIR(cmd) */
export const iocDir = (cmd: number): number => cmd >>> 30;
/** _IOC_SIZE(cmd) */
export const iocSize = (cmd: number): number => (cmd >>> 16) & 0x3fff;

// include/uapi/asm-generic/ioctls.h
/** FIONREAD (= TIOCINQ): bytes ready to read, an int. */
export const FIONREAD = 0x541b;
/** FIONBIO: set/clear O_NONBLOCK from an int. */
export const FIONBIO = 0x5421;
/** FIONCLEX: clear close-on-exec. */
export const FIONCLEX = 0x5450;
/** FIOCLEX: set close-on-exec. */
export const FIOCLEX = 0x5451;
/** FIOASYNC: set/clear O_ASYNC from an int. */
export const FIOASYNC = 0x5452;
/** TCGETS: a terminal's termios. */
export const TCGETS = 0x5401;

// include/uapi/linux/fs.h
/** FIGETBSZ: the filesystem block size, an int. */
export const FIGETBSZ = _IO(0x00, 2);
/** FS_IOC_GETFLAGS = _IOR('f', 1, long): the inode's FS_*_FL flags (an int in practice). */
export const FS_IOC_GETFLAGS = _IOR(0x66, 1, 8);
/** FS_IOC_SETFLAGS = _IOW('f', 2, long) */
export const FS_IOC_SETFLAGS = _IOW(0x66, 2, 8);
