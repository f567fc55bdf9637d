/**
 * The vfio-pci driver (drivers/vfio/pci/vfio_pci.c, vfio_pci_core.c):
 * probe and remove, the device fd's file operations, and removal that
 * waits for the user.
 *
 * - probe (vfio_pci_probe -> vfio_pci_core_register_device): a PF with
 *   SR-IOV VFs enabled is refused (`Cannot bind to PF with SR-IOV
 *   enabled`, EBUSY); otherwise the IOMMU group node /dev/vfio/N appears.
 *   Nothing is enabled until the user opens the device.
 * - first open (vfio_pci_core_enable): pci_enable_device (`enabling device
 *   (0000 -> 0002)`), a function reset with the config saved and restored
 *   (pci_try_reset_function), vconfig from the physical registers
 *   (vfio_config_init), then which BARs may be mmapped
 *   (vfio_pci_probe_mmaps: memory BARs of at least a page).
 * - last close (vfio_pci_core_close_device -> vfio_pci_core_disable): the
 *   BARs are released, the function reset and disabled.
 * - remove (vfio_pci_core_unregister_device -> vfio_unregister_group_dev):
 *   with the device open, the unbinding task waits; every 10 s the driver's
 *   request op runs (vfio_pci_core_request): with no request eventfd the
 *   first one logs `No device request channel registered, blocked until
 *   released by user`. Removal completes when the last device fd closes.
 *   With a request eventfd (VFIO_DEVICE_SET_IRQS, VFIO_PCI_REQ_IRQ_INDEX)
 *   each request signals it, and every tenth logs `Relaying device request
 *   to user (#N)`. An AER error signals the err eventfd.
 * @module
 */

import { EBADF, EFAULT, EINVAL } from "../../abi/errno.ts";
import { decodeStruct, encodeStruct, type StructValue } from "../../abi/ioctl.ts";
import { O_RDWR } from "../../abi/mman.ts";
import {
  VFIO_DEVICE_FLAGS_PCI,
  VFIO_DEVICE_FLAGS_RESET,
  VFIO_DEVICE_GET_INFO,
  VFIO_DEVICE_GET_REGION_INFO,
  VFIO_DEVICE_INFO,
  VFIO_DEVICE_RESET,
  VFIO_DEVICE_SET_IRQS,
  VFIO_IRQ_SET,
  VFIO_IRQ_SET_ACTION_TRIGGER,
  VFIO_IRQ_SET_DATA_BOOL,
  VFIO_IRQ_SET_DATA_EVENTFD,
  VFIO_IRQ_SET_DATA_NONE,
  VFIO_PCI_CONFIG_REGION_INDEX,
  VFIO_PCI_ERR_IRQ_INDEX,
  VFIO_PCI_NUM_IRQS,
  VFIO_PCI_NUM_REGIONS,
  VFIO_PCI_OFFSET_SHIFT,
  VFIO_PCI_REQ_IRQ_INDEX,
  VFIO_PCI_ROM_REGION_INDEX,
  VFIO_REGION_INFO,
  VFIO_REGION_INFO_FLAG_MMAP,
  VFIO_REGION_INFO_FLAG_READ,
  VFIO_REGION_INFO_FLAG_WRITE,
} from "../../abi/vfio.ts";
import type { Machine } from "../../machine.ts";
import { Inode } from "../../fs/inode.ts";
import type { OpenFile } from "../../fs/file.ts";
import { fdget, installFile } from "../../fs/syscalls.ts";
import { eventfdCtx, eventfdSignal } from "../../fs/eventfd.ts";
import { ENOIOCTLCMD, type FileOperations } from "../../mm/file_operations.ts";
import { getUserArg, putUserArg, type UserArg } from "../../mm/uaccess.ts";
import type { Process } from "../../proc/process.ts";
import type { PciDev } from "../../pci/device.ts";
import {
  pciDisableDevice,
  pciEnableDevice,
  pciLog,
  pciReleaseRegions,
  pciResetFunction,
} from "../../pci/pci.ts";
import { WaitQueue } from "../../sched/wait.ts";
import type { PciDriver, RemoveBlocked } from "../core/driver.ts";
import { VFIO_ANON_SB, VfioState } from "./container.ts";
import { VfioPciDevice } from "./device.ts";
import { vfioPciMmap, vfioPciZapBars } from "./mmap.ts";
import { vfioPciRw } from "./rdwr.ts";

/** vfio_unregister_group_dev(): how long each wait for the user lasts (10 s). */
export const VFIO_REQUEST_INTERVAL_NS = 10_000_000_000;

const REGION = 2n ** BigInt(VFIO_PCI_OFFSET_SHIFT);

/** vfio and vfio-pci on one machine: the core's objects and the bound devices. */
export class Vfio extends VfioState {
  /** The vfio-pci state of each bound function. */
  readonly devices: Map<PciDev, VfioPciDevice> = new Map();
  /** Each device fd's group file (the reference vfio_device_open_file takes). */
  readonly groupFileOf: WeakMap<OpenFile, OpenFile> = new WeakMap();

  /** vfio and vfio-pci on `m`, nothing bound. */
  constructor(m: Machine) {
    super(m);
    this.openDevice = (p, vdev, groupFile) => openDevice(p, vdev, groupFile);
  }

  /** The vfio-pci device of `dev`, when vfio-pci is bound to it. */
  device(dev: PciDev): VfioPciDevice | undefined {
    return this.devices.get(dev);
  }
}

/**
 * vfio_pci_core_enable(), on the first open: enable the function, reset it
 * keeping its config (pci_try_reset_function saves and restores it),
 * build vconfig from the physical registers, and decide which BARs may be
 * mmapped (vfio_pci_probe_mmaps: memory BARs of a page or more; smaller
 * page-aligned ones get the rest of the page reserved, not modelled).
 */
function enable(vdev: VfioPciDevice): number {
  const dev = vdev.pdev;
  const r = pciEnableDevice(vdev.m.pci, dev);
  if (r < 0) return r;
  const cmd = dev.command;
  pciResetFunction(dev);
  dev.setCommand(cmd);
  vdev.virtCommand = 0;
  vdev.setVirtCommand(cmd);
  for (let i = 0; i < 6; i++) {
    const b = dev.bars[i];
    vdev.barMmapSupported[i] = b !== null && b.isMem && b.size >= 4096;
  }
  return 0;
}

/**
 * vfio_pci_core_disable(), on the last close: the BARs the user claimed are
 * released, the function reset and disabled.
 */
function disable(vdev: VfioPciDevice): void {
  const dev = vdev.pdev;
  pciReleaseRegions(vdev.m.pci, dev, "vfio-pci", vdev.barmap);
  vdev.barmap = 0;
  if (dev.state === "removed") return;
  pciResetFunction(dev);
  pciDisableDevice(dev);
}

/**
 * vfio_group_ioctl_get_device_fd() -> vfio_device_open_file(): the first
 * open enables the device; the fd is an anon_inode:[vfio-device] file on
 * the device's own inode (6.10) and holds the group file.
 */
function openDevice(p: Process, vdev: VfioPciDevice, groupFile: OpenFile): number {
  if (vdev.openCount === 0) {
    const r = enable(vdev);
    if (r < 0) return r;
  }
  vdev.openCount++;
  groupFile.refs++;
  const fd = installFile(p, vdev.inode, O_RDWR);
  vdev.m.vfio.groupFileOf.set(p.fds[fd]!, groupFile);
  return fd;
}

/**
 * vfio_device_fops_release() -> vfio_pci_core_close_device(): the last
 * close disables the device; a removal waiting for it completes (the
 * unbinding task wakes, or a surprise removal finishes here).
 */
function release(vdev: VfioPciDevice, f: OpenFile): void {
  const m = vdev.m;
  vdev.openCount--;
  const g = m.vfio.groupFileOf.get(f);
  m.vfio.groupFileOf.delete(f);
  if (vdev.openCount === 0) {
    // vfio_pci_core_close_device(): the channels go with the last close.
    vdev.errTrigger = null;
    vdev.reqTrigger = null;
    disable(vdev);
  }
  g?.fput(m);
  const rm = vdev.removal;
  if (vdev.openCount > 0 || rm === null) return;
  if (rm.timer !== null) m.sched.timers.cancel(rm.timer);
  rm.timer = null;
  if (rm.hotUnplug) {
    m.drivers.finishUnbind(vdev.pdev, removeBlocked(vdev));
    m.pci.removeFunction(vdev.pdev);
  } else m.sched.wakeAll(rm.wq);
}

/** The struct argument, or -EFAULT. */
function getStruct(p: Process, arg: UserArg, layout: typeof VFIO_REGION_INFO) {
  const b = getUserArg(p, arg, layout.size);
  return b === null ? null : decodeStruct(layout, b);
}

/** copy_to_user(arg, &info, minsz): the first `minsz` bytes of the struct. */
function putStruct(
  p: Process,
  arg: UserArg,
  layout: typeof VFIO_REGION_INFO,
  v: StructValue,
  minsz: number,
): number {
  const b = encodeStruct(layout, v) as Uint8Array;
  return putUserArg(p, arg, b.subarray(0, minsz)) ? 0 : -EFAULT;
}

/**
 * vfio_pci_ioctl_get_region_info(): argsz below the struct is EINVAL;
 * BARs report their size, READ|WRITE for a real BAR and MMAP when
 * mmappable; the ROM its size (none here: 0); config space its 4 KiB;
 * VGA without a VGA device and indexes past the regions are EINVAL. The
 * offset is index << 40 for every region.
 */
function regionInfo(vdev: VfioPciDevice, v: StructValue): number {
  const minsz = 32;
  if (Number(v.get("argsz")) < minsz) return -EINVAL;
  const index = Number(v.get("index"));
  let size = 0;
  let flags = 0n;
  if (index < VFIO_PCI_ROM_REGION_INDEX) {
    const b = vdev.pdev.bars[index];
    size = b?.size ?? 0;
    if (size > 0) {
      flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
      if (vdev.barMmapSupported[index]) flags |= VFIO_REGION_INFO_FLAG_MMAP;
    }
  } else if (index === VFIO_PCI_ROM_REGION_INDEX) {
    size = 0;
  } else if (index === VFIO_PCI_CONFIG_REGION_INDEX) {
    size = vdev.pdev.config.length;
    flags = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE;
  } else {
    // VGA (index 8) exists only for a VGA device; past VFIO_PCI_NUM_REGIONS
    // come device-specific regions, which vfio-pci itself has none of.
    return -EINVAL;
  }
  v.set("offset", BigInt(index) * REGION);
  v.set("size", BigInt(size));
  v.set("flags", flags);
  v.set("cap_offset", 0n);
  return 0;
}

/**
 * vfio_pci_ioctl_set_irqs(): vfio_set_irqs_validate_and_prepare() first
 * (argsz, exactly one DATA_ and one ACTION_ flag, an index below
 * num_irqs, start + count within the index's vectors: one for ERR and
 * REQ, and the data within argsz), then the index's handler. mmlab has
 * the ERR and REQ channels (vfio_pci_set_ctx_trigger_single): an eventfd
 * installs it, -1 removes it, DATA_NONE with a count signals it (a
 * loopback test) and without one removes it. INTx, MSI and MSI-X
 * interrupts are not modelled (EINVAL).
 */
function setIrqs(vdev: VfioPciDevice, p: Process, arg: UserArg): number {
  const head = getUserArg(p, arg, 20);
  if (head === null) return -EFAULT;
  const v = decodeStruct(VFIO_IRQ_SET, Uint8Array.of(...head, 0, 0, 0, 0));
  const flags = v.get("flags") as bigint;
  const index = Number(v.get("index")), start = Number(v.get("start"));
  const count = Number(v.get("count"));
  const argsz = Number(v.get("argsz"));
  if (argsz < 20) return -EINVAL;
  const data = flags & 0x7n, action = flags & 0x38n;
  const one = (x: bigint) => x !== 0n && (x & (x - 1n)) === 0n;
  if ((flags & ~0x3fn) !== 0n || !one(data) || !one(action)) return -EINVAL;
  if (index >= VFIO_PCI_NUM_IRQS) return -EINVAL;
  const max = index === VFIO_PCI_ERR_IRQ_INDEX || index === VFIO_PCI_REQ_IRQ_INDEX ? 1 : 0;
  if (start >= max || start + count > max) {
    // A count of 0 with DATA_NONE is how a user turns a channel off.
    if (!(count === 0 && data === VFIO_IRQ_SET_DATA_NONE && max > 0)) return -EINVAL;
  }
  const size = data === VFIO_IRQ_SET_DATA_EVENTFD ? 4 : data === VFIO_IRQ_SET_DATA_BOOL ? 1 : 0;
  if (size * count > argsz - 20) return -EINVAL;
  if (max === 0) return -EINVAL; // INTx/MSI/MSI-X: not modelled
  if (action !== VFIO_IRQ_SET_ACTION_TRIGGER) return -EINVAL;
  const key = index === VFIO_PCI_ERR_IRQ_INDEX ? "errTrigger" : "reqTrigger";
  if (data === VFIO_IRQ_SET_DATA_NONE) {
    const ctx = vdev[key];
    if (ctx !== null) {
      if (count > 0) eventfdSignal(p, ctx);
      else vdev[key] = null;
    }
    return 0;
  }
  if (data === VFIO_IRQ_SET_DATA_BOOL) {
    const b = getUserArg(p, arg, 21);
    if (b === null) return -EFAULT;
    if (vdev[key] !== null && b[20] !== 0) eventfdSignal(p, vdev[key]!);
    return 0;
  }
  if (count === 0) return -EINVAL;
  const b = getUserArg(p, arg, 24);
  if (b === null) return -EFAULT;
  const fd = new DataView(b.buffer, b.byteOffset + 20, 4).getInt32(0, true);
  if (fd === -1) {
    vdev[key] = null;
    return 0;
  }
  if (fd < 0) return 0;
  // eventfd_ctx_fdget(): EBADF for no file, EINVAL for one that is no eventfd.
  const f = fdget(p, fd);
  if (f === undefined) return -EBADF;
  const ctx = eventfdCtx(f);
  if (ctx === null) return -EINVAL;
  vdev[key] = ctx;
  return 0;
}

/** vfio_pci_core_ioctl() */
function deviceIoctl(vdev: VfioPciDevice, p: Process, cmd: number, arg: UserArg): number {
  switch (cmd) {
    case VFIO_DEVICE_GET_INFO: {
      const v = getStruct(p, arg, VFIO_DEVICE_INFO);
      if (v === null) return -EFAULT;
      const minsz = 16; // offsetofend(struct vfio_device_info, num_irqs)
      if (Number(v.get("argsz")) < minsz) return -EINVAL;
      v.set("flags", VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET);
      v.set("num_regions", BigInt(VFIO_PCI_NUM_REGIONS));
      v.set("num_irqs", BigInt(VFIO_PCI_NUM_IRQS));
      return putStruct(p, arg, VFIO_DEVICE_INFO, v, minsz);
    }
    case VFIO_DEVICE_GET_REGION_INFO: {
      const v = getStruct(p, arg, VFIO_REGION_INFO);
      if (v === null) return -EFAULT;
      const r = regionInfo(vdev, v);
      return r < 0 ? r : putStruct(p, arg, VFIO_REGION_INFO, v, 32);
    }
    case VFIO_DEVICE_SET_IRQS:
      return setIrqs(vdev, p, arg);
    case VFIO_DEVICE_RESET: {
      // vfio_pci_ioctl_reset(): zap and take memory_lock for write, then
      // pci_try_reset_function() (config saved and restored: COMMAND as
      // it was, the device's registers forget their writes).
      vfioPciZapBars(vdev);
      const cmd = vdev.pdev.command;
      pciResetFunction(vdev.pdev);
      vdev.pdev.setCommand(cmd);
      return 0;
    }
  }
  return -ENOIOCTLCMD;
}

/** The device fd's file_operations (vfio_device_fops -> vfio_pci_ops). */
function deviceFops(vdev: VfioPciDevice): FileOperations {
  return {
    name: "vfio_device_fops",
    fopFlags: 0,
    ioctl: (p, _f, cmd, arg) => deviceIoctl(vdev, p, cmd, arg),
    rwIter: (p, _f, req) => vfioPciRw(vdev, p, req),
    mmap: (f, vma) => vfioPciMmap(vdev, f, vma),
    release: (_inode, f) => release(vdev, f),
  };
}

/** What remove() hands the driver core while the device is open. */
function removeBlocked(vdev: VfioPciDevice): RemoveBlocked {
  const rm = vdev.removal!;
  return {
    wq: rm.wq,
    wchan: "vfio_unregister_group_dev",
    ready: () => vdev.openCount === 0,
    finish: () => finishRemove(vdev),
    // wait_for_completion_interruptible_timeout() until a signal, then
    // dev_warn once and wait_for_completion_timeout(): the loop goes on.
    interruptible: !rm.hotUnplug,
    interrupted: (comm, pid) => {
      pciLog(
        vdev.m.pci,
        vdev.pdev,
        "warn",
        `Device is currently in use, task "${comm}" (${pid}) blocked until device is released`,
      );
      if (rm.timer !== null) vdev.m.sched.timers.cancel(rm.timer);
      rm.timer = null;
      requestLoop(vdev);
    },
  };
}

/** The rest of vfio_pci_core_unregister_device(): the group node goes. */
function finishRemove(vdev: VfioPciDevice): void {
  const m = vdev.m;
  m.vfio.removeGroup(vdev.group);
  m.vfio.devices.delete(vdev.pdev);
  vdev.removal = null;
  vdev.registered = false;
}

/**
 * vfio_pci_core_request(vdev, count): with a request eventfd, signal it,
 * and log every tenth time (pci_notice_ratelimited); without one, only the
 * first request logs, at warning level.
 */
function request(vdev: VfioPciDevice): void {
  const rm = vdev.removal!;
  const m = vdev.m;
  if (vdev.reqTrigger !== null) {
    if (rm.count % 10 === 0) {
      // pci_notice_ratelimited: KERN_NOTICE, which mmlab's log files under info.
      pciLog(m.pci, vdev.pdev, "info", `Relaying device request to user (#${rm.count})`);
    }
    eventfdSignal({ machine: m }, vdev.reqTrigger);
  } else if (rm.count === 0) {
    pciLog(
      m.pci,
      vdev.pdev,
      "warn",
      "No device request channel registered, blocked until released by user",
    );
  }
  rm.count++;
}

/** The request loop: request, wait up to 10 s for the release, again. */
function requestLoop(vdev: VfioPciDevice): void {
  const m = vdev.m;
  const rm = vdev.removal!;
  request(vdev);
  rm.timer = m.sched.timers.start(
    m.clock.ns + VFIO_REQUEST_INTERVAL_NS,
    `vfio-pci ${vdev.pdev.bdf} request`,
    () => {
      rm.timer = null;
      if (vdev.removal === rm && vdev.openCount > 0) requestLoop(vdev);
    },
  );
}

/** vfio-pci's `struct pci_driver` (vfio_pci_driver), with its state on `m.vfio`. */
export function vfioPciDriver(): PciDriver {
  return {
    name: "vfio-pci",
    // No ID table without ids=: binding goes through driver_override.
    idTable: [],
    // drivers/vfio/pci/vfio_pci.c: vfio_pci_sriov_configure is -ENOENT, silently,
    // unless the module is loaded with enable_sriov=1 (not modelled).
    sriovConfigure: () => -2,
    probe(m: Machine, dev: PciDev): number {
      // vfio_pci_core_register_device()
      if ((dev.sriov?.numVfs ?? 0) > 0) {
        pciLog(m.pci, dev, "warn", "Cannot bind to PF with SR-IOV enabled");
        return -16;
      }
      const vdev = new VfioPciDevice(m, dev);
      vdev.inode = new Inode(m.nextUffdId(), VFIO_ANON_SB, "anon", "anon_inode:[vfio-device]", 0, {
        fop: deviceFops(vdev),
        iop: {},
      });
      vdev.group = m.vfio.addGroup(vdev);
      m.vfio.devices.set(dev, vdev);
      return 0;
    },
    onFault(m: Machine, dev: PciDev, fault) {
      // vfio_pci_core_aer_err_detected(): the user hears of it on the err
      // eventfd (no zap: the mappings stay); other faults need no hook.
      const vdev = m.vfio.device(dev);
      if (fault.kind === "aer" && vdev?.errTrigger) eventfdSignal({ machine: m }, vdev.errTrigger);
    },
    remove(m: Machine, dev: PciDev) {
      const vdev = m.vfio.device(dev);
      if (vdev === undefined) return undefined;
      if (vdev.openCount === 0) {
        finishRemove(vdev);
        return undefined;
      }
      vdev.removal = {
        wq: new WaitQueue(`vfio ${dev.bdf}`),
        timer: null,
        count: 0,
        hotUnplug: dev.state === "removed",
      };
      requestLoop(vdev);
      return removeBlocked(vdev);
    },
  };
}
