/**
 * The physical address space beyond RAM: the kernel's iomem resource tree
 * (kernel/resource.c, `struct resource`, shown as /proc/iomem). RAM is one
 * "System RAM" range from 0 (mmlab has no legacy holes); device memory
 * lives in windows above it: a PCI host bridge window where BARs are
 * carved out, and a persistent-memory range for ZONE_DEVICE/DAX.
 *
 * ```
 *  0                 ramBytes        PMEM_BASE          PCI_WINDOW_BASE
 *  +-- System RAM ---+    ...    +-- pmem --+   ...   +-- PCI Bus 0000:00 --+
 *  | frames: typed   |           | no struct page refcount: PTEs to these |
 *  | arrays per pfn  |           | pfns are special (VM_PFNMAP)           |
 *  +-----------------+           +----------+         +---------------------+
 * ```
 *
 * Only RAM pfns index the frame table (pfn_valid()); a pfn in a device
 * range is reached through {@link IomemTree.deviceBytes}, backing store the
 * device model owns.
 * @module
 */

import { EBUSY, EINVAL } from "../abi/errno.ts";

/** include/linux/ioport.h resource flags (the ones mmlab uses). */
export const IORESOURCE_MEM = 0x00000200;
export const IORESOURCE_SYSRAM = 0x01000000;
export const IORESOURCE_BUSY = 0x80000000;

/** Where mmlab's persistent memory starts: 64 GiB (RAM must end below it). */
export const PMEM_BASE = 0x10_0000_0000;
/** The 64-bit PCI host bridge window: 256 GiB .. 512 GiB. */
export const PCI_WINDOW_BASE = 0x40_0000_0000;
export const PCI_WINDOW_SIZE = 0x40_0000_0000;

/**
 * What answers a CPU load or store to a device range (a BAR's registers,
 * or the bus itself when no device claims the address). `off` is the byte
 * offset from the resource's start; an access never crosses a page.
 * Compare the hardware, not a kernel structure: on a real machine the
 * root complex routes the TLP; here the iomem tree does.
 */
export interface MmioOps {
  /** A load of `len` bytes at `off`. */
  read(off: number, len: number): Uint8Array;
  /** A store of `data` at `off`. */
  write(off: number, data: Uint8Array): void;
}

/** `struct resource`: [start, end] inclusive, as the kernel keeps them. */
export class Resource {
  /** The sub-ranges, by start address. */
  readonly children: Resource[] = [];
  /** The enclosing range; null for the root or a released resource. */
  parent: Resource | null = null;
  /** The register model behind this range, if a device decodes it (lib/pci). */
  mmio: MmioOps | null = null;
  /** Bytes behind device pages of this range, by page offset (lazy). */
  readonly pages: Map<number, Uint8Array> = new Map();

  /** A range named `name` (as /proc/iomem shows it), [start, end] inclusive, IORESOURCE_* `flags`. */
  constructor(
    readonly name: string,
    readonly start: number,
    readonly end: number,
    readonly flags: number,
  ) {}

  /** resource_size(): end - start + 1. */
  get size(): number {
    return this.end - this.start + 1;
  }
}

/** The iomem tree of one machine (iomem_resource). */
export class IomemTree {
  /** iomem_resource: the whole physical address space (52 bits). */
  readonly root: Resource = new Resource("PCI mem", 0, 2 ** 52 - 1, IORESOURCE_MEM);
  /** "System RAM", from 0. */
  readonly ram: Resource;
  /**
   * Persistent memory with struct pages (ZONE_DEVICE): "Persistent Memory"
   * right after RAM, its pfns valid (lib/fs/dax.ts), or null.
   */
  pmem: Resource | null = null;

  /** A tree holding only `ramBytes` of System RAM. */
  constructor(ramBytes: number) {
    if (ramBytes > PMEM_BASE) throw new RangeError("RAM must end below PMEM_BASE (64 GiB)");
    this.ram = new Resource("System RAM", 0, ramBytes - 1, IORESOURCE_MEM | IORESOURCE_SYSRAM);
    this.insert(this.root, this.ram);
  }

  /**
   * kernel/resource.c __request_resource(): inserts [start, start+size) as
   * a child of `parent`. Returns the resource, -EINVAL if it does not fit
   * the parent, -EBUSY if it overlaps a sibling.
   */
  request(
    parent: Resource,
    name: string,
    start: number,
    size: number,
    flags = IORESOURCE_MEM,
  ): Resource | number {
    const end = start + size - 1;
    if (size <= 0 || start < parent.start || end > parent.end) return -EINVAL;
    for (const c of parent.children) if (c.start <= end && start <= c.end) return -EBUSY;
    const r = new Resource(name, start, end, flags);
    this.insert(parent, r);
    return r;
  }

  /** release_resource(): removes `r` (and its subtree). */
  release(r: Resource): void {
    const p = r.parent;
    if (p === null) return;
    p.children.splice(p.children.indexOf(r), 1);
    r.parent = null;
  }

  /** Links `r` under `parent`, keeping the children sorted by start. */
  private insert(parent: Resource, r: Resource): void {
    r.parent = parent;
    let i = 0;
    while (i < parent.children.length && parent.children[i].start < r.start) i++;
    parent.children.splice(i, 0, r);
  }

  /** The deepest resource holding physical address `phys`, or null. */
  lookup(phys: number): Resource | null {
    let r = this.root;
    for (;;) {
      const c = r.children.find((x) => x.start <= phys && phys <= x.end);
      if (c === undefined) return r === this.root ? null : r;
      r = c;
    }
  }

  /**
   * The register model that answers physical address `phys` and the offset
   * into it: the {@link MmioOps} of the deepest resource holding `phys`, or
   * null when that resource has none (RAM, pmem, a range a test or driver
   * requested without a model: plain bytes through {@link deviceBytes}).
   */
  mmioAt(phys: number): { ops: MmioOps; off: number } | null {
    const r = this.lookup(phys);
    return r === null || r.mmio === null ? null : { ops: r.mmio, off: phys - r.start };
  }

  /** pfn_valid(): the pfn has a frame (RAM, or pmem with its struct pages). */
  pfnValid(pfn: number): boolean {
    return pfn >= 0 && pfn * 4096 <= (this.pmem ?? this.ram).end;
  }

  /**
   * The 4 KiB behind a device pfn (a BAR or pmem page), created zeroed on
   * first use; undefined for a pfn no device range claims (reads as all
   * ones on a real bus, mmlab gives zeros and drops writes).
   */
  deviceBytes(pfn: number): Uint8Array | undefined {
    const r = this.lookup(pfn * 4096);
    if (r === null || r === this.ram || r.flags & IORESOURCE_SYSRAM) return undefined;
    const off = pfn - Math.floor(r.start / 4096);
    let b = r.pages.get(off);
    if (b === undefined) r.pages.set(off, b = new Uint8Array(4096));
    return b;
  }

  /**
   * /proc/iomem (kernel/resource.c r_show): `start-end : name`, two spaces
   * of indent per level, addresses at least 8 hex digits. As root sees it
   * (others read zeros).
   */
  text(): string[] {
    const out: string[] = [];
    const walk = (r: Resource, depth: number) => {
      for (const c of r.children) {
        const hex = (n: number) => n.toString(16).padStart(8, "0");
        out.push(`${"  ".repeat(depth)}${hex(c.start)}-${hex(c.end)} : ${c.name}`);
        walk(c, depth + 1);
      }
    };
    walk(this.root, 0);
    return out;
  }
}
