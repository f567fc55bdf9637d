/**
 * The in-memory filesystems: the root filesystem (an ext4-like disk at
 * `fe:00`, where /usr and /tmp live, as on this project's machines) and the
 * internal shmem mount (`00:01`) behind shared anonymous memory and memfd.
 * Paths are flat strings; there are no directories to create.
 * @module
 */

import { Inode, type InodeKind, type SuperBlock } from "./inode.ts";

export const ROOT_SB: SuperBlock = {
  major: 0xfe,
  minor: 0x00,
  noexec: false,
  punchHole: true,
  name: "ext4",
};
export const SHMEM_SB: SuperBlock = {
  major: 0x00,
  minor: 0x01,
  noexec: false,
  punchHole: true,
  name: "tmpfs",
};

export class Filesystem {
  /** Linked names, in creation order. */
  readonly names = new Map<string, Inode>();
  private nextIno = 260001;
  private nextShmemIno = 1024;

  lookup(path: string): Inode | undefined {
    return this.names.get(path);
  }

  /** Creates a regular file on the root filesystem. */
  create(path: string, size = 0, kind: InodeKind = "regular"): Inode {
    const ino = new Inode(this.nextIno++, ROOT_SB, kind, path, size);
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

  /** Removes a name; the inode lives on while open or mapped. */
  unlink(path: string): Inode | undefined {
    const ino = this.names.get(path);
    if (ino === undefined) return undefined;
    this.names.delete(path);
    ino.nlink--;
    return ino;
  }
}
