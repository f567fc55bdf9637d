/**
 * The vfio user API (include/uapi/linux/vfio.h): request numbers, the
 * structs the requests take, and their flag names as strace prints them.
 *
 * Every VFIO request is `_IO(VFIO_TYPE, VFIO_BASE + n)`: no direction and
 * no size in the number, because each struct begins with `argsz` and grows
 * by appending fields (the header's own explanation). With _IO's encoding
 * (lib/abi/ioctl.ts) that is simply `(';' << 8) | (100 + n)`:
 * ```
 *   31 30 29          16 15       8 7        0
 *  +-----+--------------+----------+----------+
 *  |  0  |      0       |   0x3b   |  100+n   |
 *  +-----+--------------+----------+----------+
 * ```
 * (This file computes it without importing ioctl.ts, which lists these
 * declarations among its own.)
 * @module
 */

import type { IoctlDecl, StructLayout } from "./ioctl.ts";

/** VFIO_TYPE (';') and VFIO_BASE. */
const VFIO_TYPE = 0x3b;
const VFIO_BASE = 100;
const vfioIo = (n: number): number => (VFIO_TYPE << 8) | (VFIO_BASE + n);

/** VFIO_API_VERSION: what VFIO_GET_API_VERSION returns. */
export const VFIO_API_VERSION = 0;

// Extensions (VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU).
/** Extension: the x86 type1 IOMMU backend. */
export const VFIO_TYPE1_IOMMU = 1;
/** Extension: the POWER sPAPR TCE IOMMU backend. */
export const VFIO_SPAPR_TCE_IOMMU = 2;
/** Extension: type1 v2 (no partial unmap of a mapping). */
export const VFIO_TYPE1v2_IOMMU = 3;
/** Extension: the IOMMU enforces DMA cache coherence. */
export const VFIO_DMA_CC_IOMMU = 4;
/** Extension: POWER EEH error recovery. */
export const VFIO_EEH = 5;
/** Extension: type1 with nesting (obsolete). */
export const VFIO_TYPE1_NESTING_IOMMU = 6;
/** Extension: sPAPR TCE v2. */
export const VFIO_SPAPR_TCE_v2_IOMMU = 7;
/** Extension: no-IOMMU mode (unsafe, no DMA isolation). */
export const VFIO_NOIOMMU_IOMMU = 8;
/** Extension: VFIO_DMA_UNMAP_FLAG_ALL is supported. */
export const VFIO_UNMAP_ALL = 9;
/** Extension: VFIO_DMA_MAP/UNMAP_FLAG_VADDR are supported. */
export const VFIO_UPDATE_VADDR = 10;

/** Container ioctl: the API version (VFIO_API_VERSION). */
export const VFIO_GET_API_VERSION: number = vfioIo(0);
/** Container ioctl: whether an extension (IOMMU type) is supported. */
export const VFIO_CHECK_EXTENSION: number = vfioIo(1);
/** Container ioctl: pick the IOMMU backend once a group is attached. */
export const VFIO_SET_IOMMU: number = vfioIo(2);
/** Group ioctl: fills struct vfio_group_status (VIABLE, CONTAINER_SET). */
export const VFIO_GROUP_GET_STATUS: number = vfioIo(3);
/** Group ioctl: attach the group to a container fd. */
export const VFIO_GROUP_SET_CONTAINER: number = vfioIo(4);
/** Group ioctl: detach the group from its container. */
export const VFIO_GROUP_UNSET_CONTAINER: number = vfioIo(5);
/** Group ioctl: open a device of the group by name; returns its fd. */
export const VFIO_GROUP_GET_DEVICE_FD: number = vfioIo(6);
/** Device ioctl: fills struct vfio_device_info (flags, regions, irqs). */
export const VFIO_DEVICE_GET_INFO: number = vfioIo(7);
/** Device ioctl: fills struct vfio_region_info for one region. */
export const VFIO_DEVICE_GET_REGION_INFO: number = vfioIo(8);
/** Device ioctl: fills struct vfio_irq_info for one IRQ index. */
export const VFIO_DEVICE_GET_IRQ_INFO: number = vfioIo(9);
/** Device ioctl: mask, unmask or trigger IRQs, or attach eventfds. */
export const VFIO_DEVICE_SET_IRQS: number = vfioIo(10);
/** Device ioctl: reset the device. */
export const VFIO_DEVICE_RESET: number = vfioIo(11);
/** On a container; the same number as VFIO_DEVICE_GET_PCI_HOT_RESET_INFO on a device. */
export const VFIO_IOMMU_GET_INFO: number = vfioIo(12);
/** Container ioctl: map user memory at an IOVA (struct vfio_iommu_type1_dma_map). */
export const VFIO_IOMMU_MAP_DMA: number = vfioIo(13);
/** Container ioctl: unmap an IOVA range (struct vfio_iommu_type1_dma_unmap). */
export const VFIO_IOMMU_UNMAP_DMA: number = vfioIo(14);

/** Group status: every device of the group is bound to vfio or no driver. */
export const VFIO_GROUP_FLAGS_VIABLE = 1n << 0n;
/** Group status: the group is attached to a container. */
export const VFIO_GROUP_FLAGS_CONTAINER_SET = 1n << 1n;

/** Device info: VFIO_DEVICE_RESET is supported. */
export const VFIO_DEVICE_FLAGS_RESET = 1n << 0n;
/** Device info: a vfio-pci device. */
export const VFIO_DEVICE_FLAGS_PCI = 1n << 1n;

/** Region info: the region may be read. */
export const VFIO_REGION_INFO_FLAG_READ = 1n << 0n;
/** Region info: the region may be written. */
export const VFIO_REGION_INFO_FLAG_WRITE = 1n << 1n;
/** Region info: the region may be mmapped. */
export const VFIO_REGION_INFO_FLAG_MMAP = 1n << 2n;
/** Region info: a capability chain follows. */
export const VFIO_REGION_INFO_FLAG_CAPS = 1n << 3n;

/** DMA map: the device may read the memory. */
export const VFIO_DMA_MAP_FLAG_READ = 1n << 0n;
/** DMA map: the device may write the memory. */
export const VFIO_DMA_MAP_FLAG_WRITE = 1n << 1n;
/** DMA map: only update the vaddr of an existing mapping. */
export const VFIO_DMA_MAP_FLAG_VADDR = 1n << 2n;
/** DMA unmap: also return the dirty-page bitmap. */
export const VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP = 1n << 0n;
/** DMA unmap: unmap every mapping (iova and size 0). */
export const VFIO_DMA_UNMAP_FLAG_ALL = 1n << 1n;
/** DMA unmap: invalidate only the vaddr, keeping the IOMMU mapping. */
export const VFIO_DMA_UNMAP_FLAG_VADDR = 1n << 2n;

/** SET_IRQS: no data (act on count IRQs). */
export const VFIO_IRQ_SET_DATA_NONE = 1n << 0n;
/** SET_IRQS: data is one u8 per IRQ. */
export const VFIO_IRQ_SET_DATA_BOOL = 1n << 1n;
/** SET_IRQS: data is one s32 eventfd per IRQ (-1 detaches). */
export const VFIO_IRQ_SET_DATA_EVENTFD = 1n << 2n;
/** SET_IRQS action: mask the IRQs. */
export const VFIO_IRQ_SET_ACTION_MASK = 1n << 3n;
/** SET_IRQS action: unmask the IRQs. */
export const VFIO_IRQ_SET_ACTION_UNMASK = 1n << 4n;
/** SET_IRQS action: trigger, or set the eventfd signalled on, the IRQs. */
export const VFIO_IRQ_SET_ACTION_TRIGGER = 1n << 5n;
/** enum VFIO_PCI_*_IRQ_INDEX: the AER error and device request channels. */
export const VFIO_PCI_ERR_IRQ_INDEX = 3;
/** The device request IRQ index: the kernel asks the user to release the device. */
export const VFIO_PCI_REQ_IRQ_INDEX = 4;

/** Region indexes of a vfio-pci device (enum VFIO_PCI_*_REGION_INDEX). */
export const VFIO_PCI_BAR0_REGION_INDEX = 0;
/** The last BAR region index. */
export const VFIO_PCI_BAR5_REGION_INDEX = 5;
/** The expansion ROM region index. */
export const VFIO_PCI_ROM_REGION_INDEX = 6;
/** The PCI config space region index. */
export const VFIO_PCI_CONFIG_REGION_INDEX = 7;
/** The VGA region index. */
export const VFIO_PCI_VGA_REGION_INDEX = 8;
/** The number of fixed vfio-pci regions. */
export const VFIO_PCI_NUM_REGIONS = 9;
/** enum VFIO_PCI_*_IRQ_INDEX: INTX, MSI, MSIX, ERR, REQ. */
export const VFIO_PCI_NUM_IRQS = 5;

/**
 * drivers/vfio/pci/vfio_pci_priv.h: a region's offset in the device fd is
 * its index << VFIO_PCI_OFFSET_SHIFT (40): the high bits of a pread/pwrite
 * position or mmap offset name the region, the low 40 bits the offset in it.
 */
export const VFIO_PCI_OFFSET_SHIFT = 40;

const flags = (names: readonly string[], bits: readonly bigint[]) =>
  names.map((n, i) => [n, bits[i]] as const);

/** struct vfio_group_status */
export const VFIO_GROUP_STATUS: StructLayout = {
  name: "struct vfio_group_status",
  size: 8,
  fields: [
    { name: "argsz", offset: 0, type: "u32" },
    {
      name: "flags",
      offset: 4,
      type: "u32",
      flags: flags(["VFIO_GROUP_FLAGS_VIABLE", "VFIO_GROUP_FLAGS_CONTAINER_SET"], [
        VFIO_GROUP_FLAGS_VIABLE,
        VFIO_GROUP_FLAGS_CONTAINER_SET,
      ]),
    },
  ],
};

/** struct vfio_device_info */
export const VFIO_DEVICE_INFO: StructLayout = {
  name: "struct vfio_device_info",
  size: 24,
  fields: [
    { name: "argsz", offset: 0, type: "u32" },
    {
      name: "flags",
      offset: 4,
      type: "u32",
      flags: flags(["VFIO_DEVICE_FLAGS_RESET", "VFIO_DEVICE_FLAGS_PCI"], [
        VFIO_DEVICE_FLAGS_RESET,
        VFIO_DEVICE_FLAGS_PCI,
      ]),
    },
    { name: "num_regions", offset: 8, type: "u32" },
    { name: "num_irqs", offset: 12, type: "u32" },
    { name: "cap_offset", offset: 16, type: "u32" },
  ],
};

/** struct vfio_region_info */
export const VFIO_REGION_INFO: StructLayout = {
  name: "struct vfio_region_info",
  size: 32,
  fields: [
    { name: "argsz", offset: 0, type: "u32" },
    {
      name: "flags",
      offset: 4,
      type: "u32",
      flags: flags([
        "VFIO_REGION_INFO_FLAG_READ",
        "VFIO_REGION_INFO_FLAG_WRITE",
        "VFIO_REGION_INFO_FLAG_MMAP",
        "VFIO_REGION_INFO_FLAG_CAPS",
      ], [
        VFIO_REGION_INFO_FLAG_READ,
        VFIO_REGION_INFO_FLAG_WRITE,
        VFIO_REGION_INFO_FLAG_MMAP,
        VFIO_REGION_INFO_FLAG_CAPS,
      ]),
    },
    { name: "index", offset: 8, type: "u32" },
    { name: "cap_offset", offset: 12, type: "u32" },
    { name: "size", offset: 16, type: "u64", hex: true },
    { name: "offset", offset: 24, type: "u64", hex: true },
  ],
};

/** struct vfio_iommu_type1_dma_map */
export const VFIO_DMA_MAP: StructLayout = {
  name: "struct vfio_iommu_type1_dma_map",
  size: 32,
  fields: [
    { name: "argsz", offset: 0, type: "u32" },
    {
      name: "flags",
      offset: 4,
      type: "u32",
      flags: flags([
        "VFIO_DMA_MAP_FLAG_READ",
        "VFIO_DMA_MAP_FLAG_WRITE",
        "VFIO_DMA_MAP_FLAG_VADDR",
      ], [VFIO_DMA_MAP_FLAG_READ, VFIO_DMA_MAP_FLAG_WRITE, VFIO_DMA_MAP_FLAG_VADDR]),
    },
    { name: "vaddr", offset: 8, type: "u64", hex: true },
    { name: "iova", offset: 16, type: "u64", hex: true },
    { name: "size", offset: 24, type: "u64", hex: true },
  ],
};

/** struct vfio_iommu_type1_dma_unmap (without the trailing data[]) */
export const VFIO_DMA_UNMAP: StructLayout = {
  name: "struct vfio_iommu_type1_dma_unmap",
  size: 24,
  fields: [
    { name: "argsz", offset: 0, type: "u32" },
    {
      name: "flags",
      offset: 4,
      type: "u32",
      flags: flags([
        "VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP",
        "VFIO_DMA_UNMAP_FLAG_ALL",
        "VFIO_DMA_UNMAP_FLAG_VADDR",
      ], [
        VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP,
        VFIO_DMA_UNMAP_FLAG_ALL,
        VFIO_DMA_UNMAP_FLAG_VADDR,
      ]),
    },
    { name: "iova", offset: 8, type: "u64", hex: true },
    { name: "size", offset: 16, type: "u64", hex: true },
  ],
};

/**
 * struct vfio_irq_set with one s32 of data: the eventfd (DATA_EVENTFD),
 * or a u8 bool read from its low byte (DATA_BOOL).
 */
export const VFIO_IRQ_SET: StructLayout = {
  name: "struct vfio_irq_set",
  size: 24,
  fields: [
    { name: "argsz", offset: 0, type: "u32" },
    {
      name: "flags",
      offset: 4,
      type: "u32",
      flags: flags([
        "VFIO_IRQ_SET_DATA_NONE",
        "VFIO_IRQ_SET_DATA_BOOL",
        "VFIO_IRQ_SET_DATA_EVENTFD",
        "VFIO_IRQ_SET_ACTION_MASK",
        "VFIO_IRQ_SET_ACTION_UNMASK",
        "VFIO_IRQ_SET_ACTION_TRIGGER",
      ], [
        VFIO_IRQ_SET_DATA_NONE,
        VFIO_IRQ_SET_DATA_BOOL,
        VFIO_IRQ_SET_DATA_EVENTFD,
        VFIO_IRQ_SET_ACTION_MASK,
        VFIO_IRQ_SET_ACTION_UNMASK,
        VFIO_IRQ_SET_ACTION_TRIGGER,
      ]),
    },
    { name: "index", offset: 8, type: "u32" },
    { name: "start", offset: 12, type: "u32" },
    { name: "count", offset: 16, type: "u32" },
    { name: "data", offset: 20, type: "s32" },
  ],
};

const ptr = (to: StructLayout, dir: "in" | "out" | "inout") => ({ kind: "ptr", to, dir }) as const;

/** The VFIO requests mmlab serves (drivers/vfio/container.c, group.c, pci/vfio_pci_core.c). */
export const VFIO_IOCTLS: readonly IoctlDecl[] = [
  { name: "VFIO_GET_API_VERSION", cmd: VFIO_GET_API_VERSION, arg: { kind: "none" } },
  { name: "VFIO_CHECK_EXTENSION", cmd: VFIO_CHECK_EXTENSION, arg: { kind: "int" } },
  { name: "VFIO_SET_IOMMU", cmd: VFIO_SET_IOMMU, arg: { kind: "int" } },
  {
    name: "VFIO_GROUP_GET_STATUS",
    cmd: VFIO_GROUP_GET_STATUS,
    arg: ptr(VFIO_GROUP_STATUS, "inout"),
  },
  {
    name: "VFIO_GROUP_SET_CONTAINER",
    cmd: VFIO_GROUP_SET_CONTAINER,
    arg: { kind: "ptr", to: "int", dir: "in" },
  },
  { name: "VFIO_GROUP_UNSET_CONTAINER", cmd: VFIO_GROUP_UNSET_CONTAINER, arg: { kind: "none" } },
  // The argument is a char * (the device's name): an address, or a string literal.
  { name: "VFIO_GROUP_GET_DEVICE_FD", cmd: VFIO_GROUP_GET_DEVICE_FD, arg: { kind: "int" } },
  { name: "VFIO_DEVICE_GET_INFO", cmd: VFIO_DEVICE_GET_INFO, arg: ptr(VFIO_DEVICE_INFO, "inout") },
  {
    name: "VFIO_DEVICE_GET_REGION_INFO",
    cmd: VFIO_DEVICE_GET_REGION_INFO,
    arg: ptr(VFIO_REGION_INFO, "inout"),
  },
  { name: "VFIO_DEVICE_SET_IRQS", cmd: VFIO_DEVICE_SET_IRQS, arg: ptr(VFIO_IRQ_SET, "in") },
  { name: "VFIO_DEVICE_RESET", cmd: VFIO_DEVICE_RESET, arg: { kind: "none" } },
  { name: "VFIO_IOMMU_MAP_DMA", cmd: VFIO_IOMMU_MAP_DMA, arg: ptr(VFIO_DMA_MAP, "in") },
  { name: "VFIO_IOMMU_UNMAP_DMA", cmd: VFIO_IOMMU_UNMAP_DMA, arg: ptr(VFIO_DMA_UNMAP, "inout") },
];

/** Names usable in literals: extensions and flag bits. */
export const VFIO_CONSTANTS: readonly (readonly [string, bigint])[] = [
  ["VFIO_API_VERSION", BigInt(VFIO_API_VERSION)],
  ["VFIO_TYPE1_IOMMU", BigInt(VFIO_TYPE1_IOMMU)],
  ["VFIO_SPAPR_TCE_IOMMU", BigInt(VFIO_SPAPR_TCE_IOMMU)],
  ["VFIO_TYPE1v2_IOMMU", BigInt(VFIO_TYPE1v2_IOMMU)],
  ["VFIO_DMA_CC_IOMMU", BigInt(VFIO_DMA_CC_IOMMU)],
  ["VFIO_EEH", BigInt(VFIO_EEH)],
  ["VFIO_TYPE1_NESTING_IOMMU", BigInt(VFIO_TYPE1_NESTING_IOMMU)],
  ["VFIO_SPAPR_TCE_v2_IOMMU", BigInt(VFIO_SPAPR_TCE_v2_IOMMU)],
  ["VFIO_NOIOMMU_IOMMU", BigInt(VFIO_NOIOMMU_IOMMU)],
  ["VFIO_UNMAP_ALL", BigInt(VFIO_UNMAP_ALL)],
  ["VFIO_UPDATE_VADDR", BigInt(VFIO_UPDATE_VADDR)],
  ["VFIO_PCI_ERR_IRQ_INDEX", BigInt(VFIO_PCI_ERR_IRQ_INDEX)],
  ["VFIO_PCI_REQ_IRQ_INDEX", BigInt(VFIO_PCI_REQ_IRQ_INDEX)],
  ...(VFIO_IRQ_SET.fields[1].flags ?? []),
  ...(VFIO_DMA_MAP.fields[1].flags ?? []),
  ...(VFIO_DMA_UNMAP.fields[1].flags ?? []),
];
