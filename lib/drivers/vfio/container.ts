/**
 * The vfio core's user-facing objects (drivers/vfio/container.c, group.c):
 * `/dev/vfio/vfio` opens a new container; `/dev/vfio/N` is the IOMMU
 * group of a function bound to vfio-pci. The user attaches the group to
 * the container (VFIO_GROUP_SET_CONTAINER), picks the IOMMU backend
 * (VFIO_SET_IOMMU, type1), maps DMA on the container, and gets a device fd
 * from the group (VFIO_GROUP_GET_DEVICE_FD with the device's name).
 *
 * Lifetimes as in the kernel: a device fd holds its group file, so a
 * group is released only after its devices; releasing the group detaches
 * it from the container, and the last group to leave unsets the IOMMU
 * backend, which unmaps and unpins every DMA mapping
 * (__vfio_container_unset_iommu -> vfio_iommu_type1_release). The
 * container fd itself holds nothing else.
 *
 * Group numbers: one group per function (every function sits alone behind
 * an ACS-capable port here), numbered by its position in the topology.
 * The IOMMU domain is type1's (see type1.ts).
 * @module
 */

import { EBADF, EBUSY, EFAULT, EINVAL, ENODEV, ENOTTY } from "../../abi/errno.ts";
import { decodeStruct, encodeStruct, type StructValue } from "../../abi/ioctl.ts";
import {
  VFIO_API_VERSION,
  VFIO_CHECK_EXTENSION,
  VFIO_DMA_MAP,
  VFIO_DMA_UNMAP,
  VFIO_GET_API_VERSION,
  VFIO_GROUP_FLAGS_CONTAINER_SET,
  VFIO_GROUP_FLAGS_VIABLE,
  VFIO_GROUP_GET_DEVICE_FD,
  VFIO_GROUP_GET_STATUS,
  VFIO_GROUP_SET_CONTAINER,
  VFIO_GROUP_STATUS,
  VFIO_GROUP_UNSET_CONTAINER,
  VFIO_IOMMU_MAP_DMA,
  VFIO_IOMMU_UNMAP_DMA,
  VFIO_SET_IOMMU,
  VFIO_TYPE1_IOMMU,
  VFIO_TYPE1v2_IOMMU,
  VFIO_UNMAP_ALL,
  VFIO_UPDATE_VADDR,
} from "../../abi/vfio.ts";
import type { Machine } from "../../machine.ts";
import { Inode, type SuperBlock } from "../../fs/inode.ts";
import type { OpenFile } from "../../fs/file.ts";
import { fdget } from "../../fs/syscalls.ts";
import { ENOIOCTLCMD, type FileOperations } from "../../mm/file_operations.ts";
import { getUserArg, putUserArg, type UserArg } from "../../mm/uaccess.ts";
import type { Process } from "../../proc/process.ts";
import { DEVTMPFS_SB } from "../../fs/fs.ts";
import { VfioIommu, type VfioLockedVm } from "./type1.ts";
import type { VfioPciDevice } from "./device.ts";

/** `struct vfio_container` */
export class VfioContainer {
  /** The groups attached by VFIO_GROUP_SET_CONTAINER. */
  readonly groups: Set<VfioGroup> = new Set();
  /** The IOMMU backend once VFIO_SET_IOMMU chose type1. */
  iommu: VfioIommu | null = null;
}

/** `struct vfio_group` */
export class VfioGroup {
  /** The container the group is attached to, or null. */
  container: VfioContainer | null = null;
  /** The group file opened by the user (held by each device fd too). */
  readonly files: Set<OpenFile> = new Set();
  /** group->opened_file: the group is open (one open at a time). */
  opened = false;

  /** Group `id` of device `vdev`, with its /dev/vfio/ID inode. */
  constructor(readonly id: number, readonly inode: Inode, readonly vdev: VfioPciDevice) {}
}

/** Everything vfio knows on one machine (the module's globals in the kernel). */
export class VfioState {
  /** The container behind each open /dev/vfio/vfio file. */
  readonly containers: WeakMap<OpenFile, VfioContainer> = new WeakMap();
  /** The groups by group id (/dev/vfio/ID). */
  readonly groups: Map<number, VfioGroup> = new Map();
  /** type1's charge to each mm's locked_vm (vfio_lock_acct). */
  readonly lockedVm: VfioLockedVm = new WeakMap();
  /** The hook that opens a device fd (vfio-pci's open_device, pci_core.ts). */
  openDevice: (p: Process, vdev: VfioPciDevice, groupFile: OpenFile) => number = () => -ENODEV;

  /** vfio's state on `m`, with /dev/vfio/vfio made. */
  constructor(readonly m: Machine) {
    // drivers/vfio/container.c vfio_dev: misc device 10:196, crw-rw-rw-.
    const inode = new Inode(240, DEVTMPFS_SB, "chardev", "/dev/vfio/vfio", 0, {
      fop: containerFops(this),
      iop: {},
    });
    inode.mode = 0o666;
    m.fs.mknod("/dev/vfio/vfio", inode);
  }

  /** Creates /dev/vfio/N for a function bound to vfio-pci (vfio_create_group). */
  addGroup(vdev: VfioPciDevice): VfioGroup {
    const id = this.m.pci.devices.indexOf(vdev.pdev);
    const path = `/dev/vfio/${id}`;
    const inode = new Inode(241 + id, DEVTMPFS_SB, "chardev", path, 0, {
      fop: groupFops(this),
      iop: {},
    });
    inode.mode = 0o600;
    const g = new VfioGroup(id, inode, vdev);
    inode.priv = g;
    this.groups.set(id, g);
    this.m.fs.mknod(path, inode);
    return g;
  }

  /** The group node goes away with the device's registration. */
  removeGroup(g: VfioGroup): void {
    this.groups.delete(g.id);
    this.m.fs.names.delete(g.inode.path);
  }
}

/** The struct argument of a request, or -EFAULT. */
function getStruct(
  p: Process,
  arg: UserArg,
  layout: typeof VFIO_DMA_MAP,
): StructValue | number {
  const b = getUserArg(p, arg, layout.size);
  return b === null ? -EFAULT : decodeStruct(layout, b);
}

const num = (v: StructValue, k: string) => Number(v.get(k) as bigint);

/**
 * vfio_fops_unl_ioctl(): the container's own requests, then the IOMMU
 * backend's (ENOTTY without one).
 */
function containerIoctl(st: VfioState, p: Process, f: OpenFile, cmd: number, arg: UserArg) {
  const c = st.containers.get(f)!;
  switch (cmd) {
    case VFIO_GET_API_VERSION:
      return VFIO_API_VERSION;
    case VFIO_CHECK_EXTENSION: {
      // vfio_container_ioctl_check_extension(): before SET_IOMMU every
      // backend is asked (type1 only here), after it the chosen one.
      const ext = Number(BigInt.asIntN(64, arg.value));
      const type1 = [VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_UNMAP_ALL, VFIO_UPDATE_VADDR];
      return type1.includes(ext) ? 1 : 0;
    }
    case VFIO_SET_IOMMU: {
      // vfio_ioctl_set_iommu(): needs a group and no backend yet.
      if (c.groups.size === 0 || c.iommu !== null) return -EINVAL;
      const type = Number(BigInt.asIntN(64, arg.value));
      if (type !== VFIO_TYPE1_IOMMU && type !== VFIO_TYPE1v2_IOMMU) return -ENODEV;
      // __vfio_container_attach_groups(): each group joins the backend's domain.
      const io = new VfioIommu(st.m.pci.iommu, st.lockedVm, st.m.dmesg);
      const done: VfioGroup[] = [];
      for (const g of c.groups) {
        const r = io.attachGroup(g.vdev.pdev);
        if (r < 0) {
          for (const h of done) io.detachGroup(h.vdev.pdev);
          io.release();
          return r;
        }
        done.push(g);
      }
      c.iommu = io;
      return 0;
    }
  }
  if (c.iommu === null) return -ENOTTY;
  switch (cmd) {
    case VFIO_IOMMU_MAP_DMA: {
      const v = getStruct(p, arg, VFIO_DMA_MAP);
      if (typeof v === "number") return v;
      return c.iommu.map(
        p.mm,
        num(v, "argsz"),
        v.get("flags") as bigint,
        num(v, "vaddr"),
        num(v, "iova"),
        num(v, "size"),
      );
    }
    case VFIO_IOMMU_UNMAP_DMA: {
      const v = getStruct(p, arg, VFIO_DMA_UNMAP);
      if (typeof v === "number") return v;
      const r = c.iommu.unmap(
        num(v, "argsz"),
        v.get("flags") as bigint,
        num(v, "iova"),
        num(v, "size"),
      );
      if (r < 0) return r;
      // "unmap.size = unmapped": the bytes unmapped go back to the user.
      v.set("size", BigInt(r));
      return putUserArg(p, arg, encodeStruct(VFIO_DMA_UNMAP, v) as Uint8Array) ? 0 : -EFAULT;
    }
  }
  return -ENOTTY;
}

function containerFops(st: VfioState): FileOperations {
  return {
    name: "vfio_fops",
    fopFlags: 0,
    ioctl(p, f, cmd, arg) {
      // vfio_fops_open(): each open is a new container.
      if (!st.containers.has(f)) st.containers.set(f, new VfioContainer());
      return containerIoctl(st, p, f, cmd, arg);
    },
    release(_inode, f) {
      st.containers.delete(f);
    },
  };
}

/** vfio_group_detach_container(): the last group out unsets the IOMMU (unpins all). */
function detach(g: VfioGroup): void {
  const c = g.container;
  if (c === null) return;
  c.groups.delete(g);
  g.container = null;
  c.iommu?.detachGroup(g.vdev.pdev);
  if (c.groups.size === 0 && c.iommu !== null) {
    c.iommu.release();
    c.iommu = null;
  }
}

/** strndup_user(arg, PAGE_SIZE): the device name a user passed. */
function userString(p: Process, arg: UserArg): string | null {
  const bytes: number[] = [];
  for (let i = 0; i < 4096; i++) {
    const b = arg.literal !== null
      ? (i < arg.literal.length ? arg.literal.subarray(i, i + 1) : null)
      : getUserArg(p, { value: arg.value + BigInt(i), literal: null }, 1);
    if (b === null) return null;
    if (b[0] === 0) return String.fromCharCode(...bytes);
    bytes.push(b[0]);
  }
  return null;
}

/** vfio_group_fops_unl_ioctl() */
function groupIoctl(st: VfioState, p: Process, f: OpenFile, cmd: number, arg: UserArg): number {
  const g = f.inode.priv as VfioGroup;
  g.files.add(f);
  switch (cmd) {
    case VFIO_GROUP_GET_STATUS: {
      const b = getUserArg(p, arg, VFIO_GROUP_STATUS.size);
      if (b === null) return -EFAULT;
      const v = decodeStruct(VFIO_GROUP_STATUS, b);
      if (num(v, "argsz") < 8) return -EINVAL;
      let flags = VFIO_GROUP_FLAGS_VIABLE;
      if (g.container !== null) flags |= VFIO_GROUP_FLAGS_CONTAINER_SET;
      v.set("flags", flags);
      return putUserArg(p, arg, encodeStruct(VFIO_GROUP_STATUS, v) as Uint8Array) ? 0 : -EFAULT;
    }
    case VFIO_GROUP_SET_CONTAINER: {
      // vfio_group_ioctl_set_container(): get_user(fd) first.
      const b = getUserArg(p, arg, 4);
      if (b === null) return -EFAULT;
      const fd = new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
      if (g.container !== null) return -EINVAL;
      const cf = fdget(p, fd);
      if (cf === undefined) return -EBADF;
      const c = st.containers.get(cf) ??
        (cf.inode.path === "/dev/vfio/vfio" ? newContainer(st, cf) : undefined);
      if (c === undefined) return -EINVAL;
      // vfio_container_attach_group(): into the backend's domain, if it has one.
      if (c.iommu !== null) {
        const r = c.iommu.attachGroup(g.vdev.pdev);
        if (r < 0) return r;
      }
      c.groups.add(g);
      g.container = c;
      return 0;
    }
    case VFIO_GROUP_UNSET_CONTAINER:
      if (g.container === null) return -EINVAL;
      if (g.vdev.openCount > 0) return -EBUSY;
      detach(g);
      return 0;
    case VFIO_GROUP_GET_DEVICE_FD: {
      const name = userString(p, arg);
      if (name === null) return -EFAULT;
      // vfio_group_use_container(): a container with an IOMMU backend.
      if (g.container === null || g.container.iommu === null) return -EINVAL;
      // vfio_device_get_from_name(): dev_name(), with the domain.
      const d = g.vdev;
      // A device being removed, or gone, is no longer found (its group is empty).
      if (name !== d.pdev.bdf || d.removal !== null || !d.registered) return -ENODEV;
      return st.openDevice(p, d, f);
    }
  }
  return -ENOIOCTLCMD;
}

function newContainer(st: VfioState, f: OpenFile): VfioContainer {
  const c = new VfioContainer();
  st.containers.set(f, c);
  return c;
}

function groupFops(st: VfioState): FileOperations {
  return {
    name: "vfio_group_fops",
    fopFlags: 0,
    ioctl: (p, f, cmd, arg) => groupIoctl(st, p, f, cmd, arg),
    open(_p, inode, _f) {
      // vfio_group_fops_open(): "Do we need multiple instances of the group
      // open? Seems not." A second open is EBUSY until the first is released.
      const g = inode.priv as VfioGroup;
      if (g.opened) return -EBUSY;
      g.opened = true;
      return 0;
    },
    release(inode, f) {
      // vfio_group_fops_release(): device fds hold the group file, so no
      // device is open now; the group leaves its container.
      const g = inode.priv as VfioGroup;
      g.files.delete(f);
      g.opened = false;
      detach(g);
    },
  };
}

/** The anon_inodefs superblock (anon_inode_mnt), where device files live. */
export const VFIO_ANON_SB: SuperBlock = {
  major: 0x00,
  minor: 0x0f,
  noexec: true,
  punchHole: false,
  name: "anon_inodefs",
};
