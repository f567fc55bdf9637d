/**
 * The in-memory filesystems: the root filesystem (an ext4-like disk at
 * `fe:00`, where /usr and /tmp live, as on this project's machines) and the
 * internal shmem mount (`00:01`) behind shared anonymous memory and memfd.
 *
 * Paths are flat strings; there are no directories to create. A path names
 * a directory if it is one of the usual top-level directories or a prefix
 * of an existing file's name; any other parent is taken to exist, so any
 * absolute path can be created.
 * @module
 */

import { ENAMETOOLONG, ENOENT, ENOTDIR } from "../abi/errno.ts";
import { Inode, type InodeKind, type SuperBlock } from "./inode.ts";
import { EXT4_DIR_OPS, EXT4_EXTENTS_FL, EXT4_FILE_OPS, EXT4_INODE_OPS } from "./ext4.ts";
import { TTY_FOPS } from "./tty.ts";
import { NULL_FOPS, ZERO_FOPS } from "./mem.ts";
import { USERFAULTFD_DEV_FOPS } from "./userfaultfd.ts";
import { SHMEM_FILE_OPS, SHMEM_INODE_OPS } from "../mm/shmem.ts";

export const ROOT_SB: SuperBlock = {
  major: 0xfe,
  minor: 0x00,
  noexec: false,
  punchHole: true,
  name: "ext4",
  // fs/ext4/super.c: ext4_max_size() for extent files, 4 KiB blocks:
  // (2^32 - 1) blocks << 12 = 0xffffffff000 (16 TiB - 4 KiB). Checked on
  // 6.18: ftruncate to 0xffffffff000 works, one byte more is EFBIG, and so
  // is lseek past it (EINVAL).
  maxBytes: 0xffffffff000,
  disk: true,
  // This project's disk (vda, 254:0): /sys/block/vda/queue/read_ahead_kb is
  // 8192 (ra_pages 2048, an 8 MiB read-around window, seen with mincore on
  // 6.18.44) and max_sectors_kb 4096 (io_pages 1024).
  raPages: 2048,
  ioPages: 1024,
  // ext4 regular files support large folios (6.16+): async readahead adds them.
  largeFolios: true,
  ops: {
    regular: { fop: EXT4_FILE_OPS, iop: EXT4_INODE_OPS, iflags: EXT4_EXTENTS_FL },
    dir: { fop: EXT4_DIR_OPS, iop: EXT4_INODE_OPS, iflags: EXT4_EXTENTS_FL },
  },
};
export const SHMEM_SB: SuperBlock = {
  major: 0x00,
  minor: 0x01,
  noexec: false,
  punchHole: true,
  name: "tmpfs",
  ops: { shmem: { fop: SHMEM_FILE_OPS, iop: SHMEM_INODE_OPS } },
};
/** devpts (`/dev/pts/N` terminals). */
export const DEVPTS_SB: SuperBlock = {
  major: 0x00,
  minor: 0x18,
  noexec: true,
  punchHole: false,
  name: "devpts",
  // init_special_inode(): def_chr_fops, which chrdev_open swaps for tty_fops.
  ops: { chardev: { fop: TTY_FOPS, iop: {} } },
};

/** devtmpfs (`/dev`): the memory devices. Not noexec (as on this project's host). */
export const DEVTMPFS_SB: SuperBlock = {
  major: 0x00,
  minor: 0x06,
  noexec: false,
  punchHole: false,
  name: "devtmpfs",
};

/** include/uapi/linux/limits.h: PATH_MAX (with the NUL), NAME_MAX. */
export const PATH_MAX = 4096;
export const NAME_MAX = 255;

/** Directories every machine has. */
const KNOWN_DIRS = new Set([
  "/",
  "/bin",
  "/boot",
  "/dev",
  "/dev/infiniband",
  "/dev/pts",
  "/dev/shm",
  "/etc",
  "/home",
  "/lib",
  "/lib64",
  "/mnt",
  "/opt",
  "/proc",
  "/root",
  "/run",
  "/sbin",
  "/srv",
  "/sys",
  "/tmp",
  "/usr",
  "/usr/bin",
  "/usr/lib",
  "/usr/lib/x86_64-linux-gnu",
  "/usr/local",
  "/var",
  "/var/tmp",
]);

/** A resolved path: absolute, without `.`, `..` or repeated slashes. */
export interface ResolvedPath {
  /** The resolved absolute path. */
  path: string;
  /** The name ended in `/` (or `.`/`..`): it must be a directory. */
  slash: boolean;
  /** The last component is a plain name (LAST_NORM), not `.`, `..` or the root. */
  lastNorm: boolean;
}

/**
 * A filesystem mounted on a directory other than the root's (mmlab's DAX
 * filesystem on /mnt/pmem): new files under `dir` belong to `sb`, and
 * `initInode` gives each its filesystem state.
 */
export interface Mount {
  /** The mount point. */
  readonly dir: string;
  /** The mounted filesystem's superblock. */
  readonly sb: SuperBlock;
  /** Gives a new inode under `dir` its filesystem state. */
  initInode(inode: Inode): void;
}

/** The machine's file namespace: the root filesystem's names, its directories and the mounts below it. */
export class Filesystem {
  /** Linked names, in creation order. */
  readonly names: Map<string, Inode> = new Map();
  /** Mounts besides the root filesystem. */
  readonly mounts: Mount[] = [];
  private nextIno = 260001;
  private nextShmemIno = 1024;
  private readonly dirs = new Map<string, Inode>();
  private ttyInode: Inode | null = null;

  constructor() {
    // drivers/char/mem.c devlist: /dev/null (1:3) and /dev/zero (1:5), crw-rw-rw-,
    // inode numbers as devtmpfs gives them at boot.
    for (
      const [ino, path, fop] of [[3, "/dev/null", NULL_FOPS], [4, "/dev/zero", ZERO_FOPS]] as const
    ) {
      const inode = new Inode(ino, DEVTMPFS_SB, "chardev", path, 0, { fop, iop: {} });
      inode.mode = 0o666;
      this.names.set(path, inode);
    }
    // fs/userfaultfd.c userfaultfd_misc: /dev/userfaultfd (10:257), crw------- root.
    const uffdDev = new Inode(5, DEVTMPFS_SB, "chardev", "/dev/userfaultfd", 0, {
      fop: USERFAULTFD_DEV_FOPS,
      iop: {},
    });
    uffdDev.mode = 0o600;
    this.names.set("/dev/userfaultfd", uffdDev);
  }

  /** Makes a device node (mknod): `inode` under its /dev name. */
  mknod(path: string, inode: Inode): void {
    this.names.set(path, inode);
  }

  /** The node goes (device_del -> devtmpfs_delete_node); open files keep the inode. */
  removeNode(path: string): void {
    const inode = this.names.get(path);
    if (inode === undefined) return;
    this.names.delete(path);
    inode.nlink = 0;
  }

  /** The inode linked at `path`, or undefined. */
  lookup(path: string): Inode | undefined {
    return this.names.get(path);
  }

  /** The mount a path lies under, or undefined for the root filesystem. */
  mountOf(path: string): Mount | undefined {
    return this.mounts.find((m) => path.startsWith(m.dir + "/"));
  }

  /** Creates a regular file on the filesystem its path lies in (the root's, or a mount's). */
  create(path: string, size = 0, kind: InodeKind = "regular"): Inode {
    const mnt = this.mountOf(path);
    const ino = new Inode(this.nextIno++, mnt?.sb ?? ROOT_SB, kind, path, size);
    mnt?.initInode(ino);
    this.names.set(path, ino);
    return ino;
  }

  /**
   * An unlinked shmem inode, as shmem_zero_setup() makes for
   * MAP_SHARED|MAP_ANONYMOUS: /proc/PID/maps shows `/dev/zero (deleted)`.
   */
  createShmem(path: string, size: number): Inode {
    const ino = new Inode(this.nextShmemIno++, SHMEM_SB, "shmem", path, size);
    ino.nlink = 0;
    return ino;
  }

  /**
   * mm/memfd.c: memfd_create() -> shmem_file_setup("memfd:NAME"): an
   * unlinked shmem inode; maps shows `/memfd:NAME (deleted)` at `00:01`.
   */
  createMemfd(name: string): Inode {
    const ino = this.createShmem(`/memfd:${name}`, 0);
    ino.mode = 0o777;
    return ino;
  }

  /**
   * open(dir, O_TMPFILE): an unlinked regular inode (vfs_tmpfile); d_path
   * shows `DIR/#INO (deleted)`.
   */
  createTmpfile(dir: string): Inode {
    const ino = this.nextIno++;
    const inode = new Inode(ino, ROOT_SB, "regular", `${dir === "/" ? "" : dir}/#${ino}`, 0);
    inode.nlink = 0;
    return inode;
  }

  /** The terminal (`/dev/pts/0`, a devpts character device) behind stdin/stdout/stderr. */
  tty(): Inode {
    if (this.ttyInode === null) {
      this.ttyInode = new Inode(3, DEVPTS_SB, "chardev", "/dev/pts/0", 0);
      this.ttyInode.mode = 0o620;
    }
    return this.ttyInode;
  }

  /** Whether `path` (resolved) names a directory. */
  isDirectory(path: string): boolean {
    if (KNOWN_DIRS.has(path) || this.mounts.some((m) => m.dir === path)) return true;
    const prefix = path + "/";
    for (const name of this.names.keys()) if (name.startsWith(prefix)) return true;
    return false;
  }

  /** The inode of a directory (made on first use), for an O_RDONLY open. */
  dirInode(path: string): Inode {
    let d = this.dirs.get(path);
    if (d === undefined) {
      d = new Inode(this.nextIno++, ROOT_SB, "dir", path, 4096);
      d.mode = 0o755;
      this.dirs.set(path, d);
    }
    return d;
  }

  /**
   * fs/namei.c: getname() + path walk, lexically: the result is absolute
   * (a relative path starts at `/`, the emulated cwd), `.`/`..` and repeated
   * slashes removed. Errors: ENOENT for "", ENAMETOOLONG for a path of
   * PATH_MAX bytes or more or a component over NAME_MAX, ENOTDIR when a
   * regular file is used as a directory (`/tmp/f/x`, `/tmp/f/..`).
   */
  resolve(name: string): ResolvedPath | number {
    if (name.length === 0) return -ENOENT;
    if (new TextEncoder().encode(name).length >= PATH_MAX) return -ENAMETOOLONG;
    const stack: string[] = [];
    const comps = name.split("/");
    let slash = false;
    let lastNorm = false;
    for (let i = 0; i < comps.length; i++) {
      const c = comps[i];
      const last = comps.slice(i + 1).every((x) => x === "");
      if (c === "") continue;
      // Walking through `c` needs the current directory to be one.
      const here = "/" + stack.join("/");
      if (stack.length > 0 && this.names.has(here)) return -ENOTDIR;
      if (c === "." || c === "..") {
        if (c === "..") stack.pop();
        if (last) slash = true;
        continue;
      }
      if (new TextEncoder().encode(c).length > NAME_MAX) return -ENAMETOOLONG;
      stack.push(c);
      if (last) {
        slash = name.endsWith("/");
        lastNorm = true;
      }
    }
    return { path: "/" + stack.join("/"), slash: slash || stack.length === 0, lastNorm };
  }

  /** Removes a name; the inode lives on while open or mapped. */
  unlink(path: string): Inode | undefined {
    const ino = this.names.get(path);
    if (ino === undefined) return undefined;
    this.names.delete(path);
    ino.nlink--;
    return ino;
  }
}
