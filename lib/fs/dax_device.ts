/**
 * Booting persistent memory (drivers/nvdimm, drivers/dax): the region in
 * /proc/iomem, its two namespaces, the DAX filesystem mounted on the first
 * (`mount -o dax /dev/pmem0 /mnt/pmem`) and the device-dax node on the
 * second (/dev/dax0.0, a character device: not fsdax).
 *
 * ```
 *  /proc/iomem
 *  RAMEND+1..     : Persistent Memory
 *    ..           :   namespace0.0     three quarters: /dev/pmem0, ext4 -o dax
 *    ..           :   namespace0.1     one quarter:    /dev/dax0.0
 * ```
 * @module
 */

import type { Machine } from "../machine.ts";
import { DAX_MOUNT, daxInitInode, DEVDAX_FOPS, DEVDAX_PATH, PmemDevice } from "./dax.ts";
import { DEVTMPFS_SB } from "./fs.ts";
import { Inode } from "./inode.ts";
import type { Resource } from "../phys/iomem.ts";

/**
 * Adds `bytes` of persistent memory right after RAM (the frame table already
 * holds its frames, PG_PMEM). Returns the device.
 */
export function attachPmem(m: Machine, bytes: number): PmemDevice {
  const base = m.config.ramBytes;
  const region = m.iomem.request(m.iomem.root, "Persistent Memory", base, bytes) as Resource;
  m.iomem.pmem = region;
  const first = m.frames.ramFrames;
  const pages = bytes / 4096;
  const dev = new PmemDevice(first, pages);
  m.iomem.request(region, "namespace0.0", base, dev.blocks.count * 4096);
  m.iomem.request(region, "namespace0.1", dev.devdaxFirst * 4096, dev.devdaxPages * 4096);
  m.fs.mounts.push({ dir: DAX_MOUNT, sb: dev.sb, initInode: daxInitInode });
  // drivers/dax/bus.c: /dev/dax0.0, crw------- root (a dynamic major).
  const node = new Inode(7, DEVTMPFS_SB, "chardev", DEVDAX_PATH, 0, {
    fop: DEVDAX_FOPS,
    iop: {},
  });
  node.mode = 0o600;
  node.dax = true; // IS_DAX, but S_ISCHR: vma_is_fsdax() says no
  m.fs.mknod(DEVDAX_PATH, node);
  // A pmem page lost a reference: whoever waits for DAX pages to go idle looks again.
  m.frames.onDeviceIdle = () => {
    if (!dev.idle.empty) m.sched.wakeAll(dev.idle);
  };
  return dev;
}
