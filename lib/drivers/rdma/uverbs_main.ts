/**
 * drivers/infiniband/core/uverbs_main.c: the /dev/infiniband/uverbsN
 * character device (ib_uverbs_fops), the async event files
 * (`anon_inode:[infinibandevent]`), and the uverbs client's add_one /
 * remove_one that make and unmake a device's node.
 * @module
 */

import { EAGAIN, EINVAL, EIO, ENXIO } from "../../abi/errno.ts";
import { O_NONBLOCK, O_RDONLY } from "../../abi/mman.ts";
import type { KnobValue } from "../../policy.ts";
import type { Machine } from "../../machine.ts";
import type { FileOperations } from "../../mm/file_operations.ts";
import type { Vma } from "../../mm/vma.ts";
import type { OpenFile } from "../../fs/file.ts";
import { Inode, type SuperBlock } from "../../fs/inode.ts";
import { installFile } from "../../fs/syscalls.ts";
import { DEVTMPFS_SB } from "../../fs/fs.ts";
import type { Process } from "../../proc/process.ts";
import { WouldBlock } from "../../sched/wait.ts";
import { ASYNC_EVENT_DESC_SIZE, encodeAsyncEvent } from "./ib_verbs.ts";
import { rdmaUmapOps } from "./ib_core_uverbs.ts";
import { destroyUobject, uverbsDestroyUfileHw } from "./rdma_core.ts";
import type { PinApi } from "./hw.ts";
import {
  AsyncEventFile,
  type IbDevice,
  type Ucontext,
  Uobject,
  UverbsDevice,
  UverbsFile,
} from "./uverbs.ts";

/** The wait channel of a reader of an empty async event queue. */
export const WCHAN_UVERBS_EVENT = "ib_uverbs_event_read";

/** The uverbs file behind an open file, or null (not a uverbs file, or released). */
export function ufileOf(f: OpenFile | null | undefined): UverbsFile | null {
  const dev = f?.inode.priv;
  if (!(dev instanceof UverbsDevice) || f === null || f === undefined) return null;
  return dev.byFile.get(f) ?? null;
}

/**
 * ib_uverbs_get_ucontext_file(): -EIO once the device is gone, -EINVAL
 * before a context was made.
 */
export function getUcontextFile(ufile: UverbsFile): Ucontext | number {
  if (ufile.device.ibDev === null) return -EIO;
  if (ufile.ucontext === null) return -EINVAL;
  return ufile.ucontext;
}

/** The VMA operations of every uverbs mapping. */
const RDMA_UMAP_OPS = rdmaUmapOps((vma: Vma) => ufileOf(vma.file));

/**
 * ib_uverbs_open(): -ENXIO when the device's refcount already reached
 * zero (removal finished), -EIO when its ib_device is gone (removal under
 * way); otherwise a new ufile on the device's list. stream_open(): no
 * seeking.
 */
function uverbsOpen(_p: Process, inode: Inode, file: OpenFile): number {
  const dev = inode.priv as UverbsDevice;
  if (dev.refcount === 0) return -ENXIO;
  if (dev.ibDev === null) return -EIO;
  const ufile = new UverbsFile(dev, file);
  dev.refcount++;
  dev.files.push(ufile);
  dev.byFile.set(file, ufile);
  return 0;
}

/**
 * ib_uverbs_mmap(): the file's context (-EIO after removal, -EINVAL
 * without one), vm_ops = rdma_umap_ops, then the driver's ->mmap.
 */
function uverbsMmap(file: OpenFile, vma: Vma): number {
  const ufile = ufileOf(file);
  if (ufile === null) return -EIO;
  const uctx = getUcontextFile(ufile);
  if (typeof uctx === "number") return uctx;
  vma.ops = RDMA_UMAP_OPS;
  return uctx.device.ops.mmap(uctx, vma);
}

/** ib_uverbs_release_file(): the last reference to the ufile. */
function releaseUfile(ufile: UverbsFile): void {
  const dev = ufile.device;
  const frames = dev.machine.frames;
  // __free_pages(file->disassociate_page): mappings of it are gone by now.
  for (const pfn of ufile.dummyPages.values()) frames.put(pfn);
  ufile.dummyPages.clear();
  ufile.disassociatePage = -1;
  ufile.released = true;
  dev.byFile.delete(ufile.file);
  const i = dev.files.indexOf(ufile);
  if (i >= 0) dev.files.splice(i, 1);
  if (--dev.refcount === 0) completeDev(dev);
}

/** ib_uverbs_comp_dev(): the device's last reference; a waiting removal finishes. */
function completeDev(dev: UverbsDevice): void {
  const done = dev.onLastClose;
  dev.onLastClose = null;
  done?.();
}

/** kref_put(&ufile->ref, ib_uverbs_release_file) */
export function putUfile(ufile: UverbsFile): void {
  if (--ufile.refs === 0) releaseUfile(ufile);
}

/**
 * ib_uverbs_close(): the command fd's last reference (its mappings hold
 * it, so they are gone): every object is destroyed (RDMA_REMOVE_CLOSE).
 */
function uverbsClose(_inode: Inode, file: OpenFile): void {
  const ufile = ufileOf(file);
  if (ufile === null) return;
  uverbsDestroyUfileHw(ufile, "CLOSE");
  putUfile(ufile);
}

/**
 * ib_uverbs_write(): the legacy command channel. Short headers are
 * -EINVAL; after the device went away, -EIO. mmlab's libibverbs uses the
 * command functions directly (uverbs_cmd.ts), so any other write is -EINVAL.
 */
function uverbsWrite(
  _p: Process,
  file: OpenFile,
  _data: Uint8Array | null,
  count: number,
): number {
  if (count < 8) return -EINVAL;
  const ufile = ufileOf(file);
  if (ufile === null || ufile.device.ibDev === null) return -EIO;
  return -EINVAL;
}

/** drivers/infiniband/core/uverbs_main.c: uverbs_fops / uverbs_mmap_fops. */
export const UVERBS_FOPS: FileOperations = {
  name: "uverbs_mmap_fops",
  fopFlags: 0,
  nonseekable: true,
  open: uverbsOpen,
  mmap: uverbsMmap,
  write: uverbsWrite,
  release: uverbsClose,
};

/** The anon_inodefs superblock the event files live on. */
const ANON_INODE_SB: SuperBlock = {
  major: 0x00,
  minor: 0x0f,
  noexec: true,
  punchHole: false,
  name: "anon_inodefs",
};

/**
 * ib_uverbs_event_read() on an async event file: one 16-byte
 * ib_uverbs_async_event_desc per read; -EINVAL for a smaller buffer;
 * with none queued, -EIO once the queue is closed, -EAGAIN for O_NONBLOCK,
 * else the reader sleeps until an event comes (after DEVICE_FATAL none
 * ever does: it is the end of the stream).
 */
function asyncEventRead(_p: Process, file: OpenFile, count: number): Uint8Array | number {
  const ev = file.inode.priv as AsyncEventFile;
  if (ev.events.length === 0) {
    if (ev.isClosed) return -EIO;
    if (file.flags & O_NONBLOCK) return -EAGAIN;
    throw new WouldBlock(ev.wq, WCHAN_UVERBS_EVENT, `read of async event file ${ev.id}`);
  }
  if (count < ASYNC_EVENT_DESC_SIZE) return -EINVAL;
  return encodeAsyncEvent(ev.events.shift()!);
}

/**
 * uverbs_async_event_release(): the queue closes, its events go, the
 * uobject goes with the fd (RDMA_REMOVE_CLOSE) unless a teardown took it,
 * and the ufile loses the reference the event file held.
 */
function asyncEventRelease(inode: Inode): void {
  const ev = inode.priv as AsyncEventFile;
  ev.isClosed = true;
  ev.events.length = 0;
  const ufile = ev.ufile;
  const u = ufile.uobjects.find((o) => o.data.kind === "async_event" && o.data.file === ev);
  if (u !== undefined) destroyUobject(u, "CLOSE", false);
  const i = ufile.asyncFiles.indexOf(ev);
  if (i >= 0) ufile.asyncFiles.splice(i, 1);
  if (ufile.defaultAsync === ev) ufile.defaultAsync = null;
  putUfile(ufile);
}

/** uverbs_async_event_fops */
export const UVERBS_ASYNC_EVENT_FOPS: FileOperations = {
  name: "uverbs_async_event_fops",
  fopFlags: 0,
  nonseekable: true,
  read: (p, f, count) => asyncEventRead(p, f, count),
  poll: (f) => ((f.inode.priv as AsyncEventFile).events.length > 0 ? 0x1 | 0x40 : 0),
  release: asyncEventRelease,
};

/**
 * UVERBS_METHOD_ASYNC_EVENT_ALLOC: a new `[infinibandevent]` fd (O_RDONLY,
 * close-on-exec as libibverbs asks), its uobject on the file's list; the
 * first one becomes the default async file. Returns the fd or -errno.
 */
export function asyncEventAlloc(p: Process, ufile: UverbsFile): number {
  const nextId = p.machine.nextUffdId();
  if (ufile.device.ibDev === null) return -EIO;
  const ev = new AsyncEventFile(ufile, nextId);
  const inode = new Inode(nextId, ANON_INODE_SB, "anon", "anon_inode:[infinibandevent]", 0, {
    fop: UVERBS_ASYNC_EVENT_FOPS,
    iop: {},
  });
  inode.priv = ev;
  const fd = installFile(p, inode, O_RDONLY | 0o2000000);
  if (fd < 0) return fd;
  ufile.refs++;
  ufile.asyncFiles.push(ev);
  if (ufile.defaultAsync === null) ufile.defaultAsync = ev;
  ufile.uobjects.push(
    new Uobject(ufile.nextHandle++, "async_event", ufile, [], {
      kind: "async_event",
      file: ev,
    }),
  );
  return fd;
}

/**
 * ib_uverbs_add_one(): a uverbs device for a newly registered ib_device,
 * numbered with the lowest free minor; its node appears as
 * /dev/infiniband/uverbsN, crw-rw-rw- (uverbs_devnode() gives mode 0666).
 */
export function ibUverbsAddOne(
  m: Machine,
  ibdev: IbDevice,
  devnum: number,
  pins: PinApi,
): UverbsDevice {
  const dev = new UverbsDevice(m, devnum, ibdev, pins);
  // uverbs char devices: major 231, minors from 192 (IB_UVERBS_BASE_MINOR).
  const inode = new Inode(1000 + devnum, DEVTMPFS_SB, "chardev", dev.path, 0, {
    fop: UVERBS_FOPS,
    iop: {},
  });
  inode.mode = 0o666;
  inode.priv = dev;
  m.fs.mknod(dev.path, inode);
  dev.inode = inode;
  return dev;
}

/** Policy `rdma.onDisassociate`: whether the driver has disassociate_ucontext. */
const HAS_DISASSOCIATE: Record<KnobValue<"rdma.onDisassociate">, boolean> = {
  block: false,
  "anon-private": true,
  sigbus: true,
  "zero-page": true,
};

/** What remove_one did: returned at once, or waits for files to be closed. */
export interface RemoveResult {
  /** Files (command fds with their mappings and event fds) removal waits for; 0 = done. */
  waitingFor: number;
}

/**
 * ib_uverbs_remove_one(): the node goes (cdev_device_del: new opens fail),
 * then, if the driver can disassociate, ib_uverbs_free_hw_resources():
 * ib_dev = NULL (later commands -EIO) and uverbs_destroy_ufile_hw(...,
 * RDMA_REMOVE_DRIVER_REMOVE) on every open file; the call returns at once.
 * A driver without disassociate_ucontext makes the removal wait
 * (wait_for_completion) until every file is released; `done` runs then.
 * Nothing is logged either way.
 */
export function ibUverbsRemoveOne(dev: UverbsDevice, done: () => void): RemoveResult {
  const m = dev.machine;
  m.fs.removeNode(dev.path);
  dev.removed = true;
  const disassociate = HAS_DISASSOCIATE[m.policy("rdma.onDisassociate")];
  if (disassociate) {
    dev.ibDev = null;
    for (const ufile of [...dev.files]) {
      ufile.refs++;
      uverbsDestroyUfileHw(ufile, "DRIVER_REMOVE");
      putUfile(ufile);
    }
  }
  if (--dev.refcount === 0) {
    done();
    return { waitingFor: 0 };
  }
  if (disassociate) {
    // The uverbs device lingers until its files close; the hardware side is done.
    done();
    return { waitingFor: 0 };
  }
  dev.onLastClose = () => {
    dev.ibDev = null;
    done();
  };
  return { waitingFor: dev.files.length };
}
