/**
 * The IOMMU (Intel VT-d, drivers/iommu/intel): DMA remapping for PCI
 * functions. A function attached to a paging domain reaches memory only
 * through the domain's IOVA -> pfn map, page by page, with read/write
 * permission; any other DMA faults: the DMA remapping unit records the
 * fault and the kernel logs it (drivers/iommu/intel/dmar.c
 * dmar_fault_do_one):
 *
 * ```
 * DMAR: [DMA Write NO_PASID] Request device [05:00.0] fault addr 0x10000 [fault reason 0x05] PTE Write access is not set
 * ```
 *
 * A function in no domain uses the default domain, modelled as identity
 * (what `iommu=pt` gives drivers that use the DMA API: bus address =
 * physical address); `iommu.enabled=off` disables translation for all.
 * IOMMU groups: one per function (every bridge has ACS), numbered in
 * enumeration order, as /sys/kernel/iommu_groups shows them.
 *
 * Mappings hold no page references: whoever maps (vfio type1, an RDMA
 * MR) pins first and unpins after unmapping; `check` flags a mapped RAM
 * frame that is free.
 * @module
 */

import type { PciDev } from "./device.ts";
import type { PciTopology } from "./topology.ts";
import type { KnobValue } from "../policy.ts";

/** IOMMU_READ / IOMMU_WRITE (include/linux/iommu.h). */
export const IOMMU_READ = 1;
/** IOMMU_WRITE: the device may write the page. */
export const IOMMU_WRITE = 2;

/** One IOVA page's translation. */
export interface IommuPte {
  /** Page frame the IOVA page maps to. */
  pfn: number;
  /** IOMMU_READ | IOMMU_WRITE permission bits. */
  prot: number;
}

/** A recorded DMA remapping fault. */
export interface IommuFault {
  /** Virtual time of the fault (ns). */
  ns: number;
  /** The faulting function (`0000:01:00.0`). */
  bdf: string;
  /** The IOVA the access used. */
  iova: number;
  /** True for a write access, false for a read. */
  write: boolean;
  /** VT-d fault reason: 5 (write not permitted), 6 (read not permitted). */
  reason: number;
}

/** How many faults the unit keeps (the newest). */
export const IOMMU_FAULT_LOG_MAX = 256;

/** dma_remap_fault_reasons[] (the entries mmlab raises). */
const FAULT_REASONS: ReadonlyMap<number, string> = new Map([
  [5, "PTE Write access is not set"],
  [6, "PTE Read access is not set"],
]);

/** Whether DMA is translated, per `iommu.enabled`. */
const TRANSLATES: Record<KnobValue<"iommu.enabled">, boolean> = { on: true, off: false };

/** A paging domain (struct iommu_domain, IOMMU_DOMAIN_UNMANAGED for vfio). */
export class IommuDomain {
  /** Translations by IOVA page number. */
  readonly ptes: Map<number, IommuPte> = new Map();
  /** The functions attached. */
  readonly devices: Set<PciDev> = new Set();

  /** An empty domain numbered `id`. */
  constructor(readonly id: number) {}

  /**
   * iommu_map(): maps [iova, iova+size) to pfn.. with `prot`. -EINVAL
   * (22) for unaligned or empty ranges or no permission, -EEXIST (17) when
   * a page is already mapped (nothing is mapped then).
   */
  map(iova: number, pfn: number, size: number, prot: number): number {
    if (iova % 4096 !== 0 || size % 4096 !== 0 || size <= 0 || iova < 0) return -22;
    if (!(prot & (IOMMU_READ | IOMMU_WRITE))) return -22;
    const first = iova / 4096, n = size / 4096;
    for (let i = 0; i < n; i++) if (this.ptes.has(first + i)) return -17;
    for (let i = 0; i < n; i++) this.ptes.set(first + i, { pfn: pfn + i, prot });
    return 0;
  }

  /** iommu_unmap(): removes what is mapped in [iova, iova+size); returns bytes unmapped. */
  unmap(iova: number, size: number): number {
    const first = Math.floor(iova / 4096), n = Math.ceil(size / 4096);
    let done = 0;
    for (let i = 0; i < n; i++) if (this.ptes.delete(first + i)) done += 4096;
    return done;
  }

  /**
   * The IOVA pages translating to any of `pfns`, unmapped (iommu_unmap of
   * each, as a driver revoking a device's access does); returns how many.
   */
  unmapPfns(pfns: ReadonlySet<number>): number {
    let n = 0;
    for (const [page, e] of this.ptes) {
      if (pfns.has(e.pfn) && this.ptes.delete(page)) n++;
    }
    return n;
  }

  /** iommu_iova_to_phys() for one byte address, or null when unmapped. */
  toPhys(iova: number): number | null {
    const e = this.ptes.get(Math.floor(iova / 4096));
    return e === undefined ? null : e.pfn * 4096 + (iova % 4096);
  }
}

/** The machine's DMA remapping hardware. */
export class Iommu {
  /** Domains allocated, in allocation order. */
  readonly domains: IommuDomain[] = [];
  /** The fault log, the newest {@link IOMMU_FAULT_LOG_MAX} faults, oldest first. */
  readonly faults: IommuFault[] = [];
  /** Every fault since boot (the log keeps the newest). */
  faultCount = 0;
  private readonly attached = new Map<PciDev, IommuDomain>();
  private readonly groups = new Map<PciDev, number>();
  private nextDomain = 1;
  private nextGroup = 0;

  /** The IOMMU of topology `t`. */
  constructor(private readonly t: PciTopology) {}

  /** `iommu.enabled`: whether attached functions' DMA is translated. */
  get enabled(): boolean {
    return TRANSLATES[this.t.env.policy("iommu.enabled")];
  }

  /** The function's IOMMU group number (given on first sight, in enumeration order). */
  group(dev: PciDev): number {
    let g = this.groups.get(dev);
    if (g === undefined) this.groups.set(dev, g = this.nextGroup++);
    return g;
  }

  /** iommu_paging_domain_alloc(). */
  allocDomain(): IommuDomain {
    const d = new IommuDomain(this.nextDomain++);
    this.domains.push(d);
    return d;
  }

  /** iommu_domain_free(): detaches what is left and forgets the domain. */
  freeDomain(d: IommuDomain): void {
    for (const dev of d.devices) this.attached.delete(dev);
    d.devices.clear();
    const i = this.domains.indexOf(d);
    if (i >= 0) this.domains.splice(i, 1);
  }

  /**
   * iommu_attach_device(): -ENODEV (19) with translation off (no IOMMU
   * owns the device), -EBUSY (16) when it is attached to another domain.
   */
  attach(dev: PciDev, d: IommuDomain): number {
    if (!this.enabled) return -19;
    const cur = this.attached.get(dev);
    if (cur === d) return 0;
    if (cur !== undefined) return -16;
    this.attached.set(dev, d);
    d.devices.add(dev);
    return 0;
  }

  /** iommu_detach_device(): back to the (identity) default domain. */
  detach(dev: PciDev): void {
    const d = this.attached.get(dev);
    if (d === undefined) return;
    d.devices.delete(dev);
    this.attached.delete(dev);
  }

  /**
   * Revokes every device's access to `pfns`: their IOVAs are unmapped from
   * every paging domain (the truncate-side of dax.truncateWithPin=iommu-revoke).
   * Returns the IOVA pages unmapped.
   */
  revokePfns(pfns: ReadonlySet<number>): number {
    let n = 0;
    for (const d of this.domains) n += d.unmapPfns(pfns);
    return n;
  }

  /** The paging domain the function is attached to, or null (default domain). */
  domainOf(dev: PciDev): IommuDomain | null {
    return this.attached.get(dev) ?? null;
  }

  /**
   * Translates one DMA access of `dev` at bus address `addr`: the physical
   * address, or null after recording and logging the fault.
   */
  translate(dev: PciDev, addr: number, write: boolean): number | null {
    const d = this.enabled ? this.attached.get(dev) : undefined;
    if (d === undefined) return addr;
    const e = d.ptes.get(Math.floor(addr / 4096));
    const need = write ? IOMMU_WRITE : IOMMU_READ;
    if (e !== undefined && e.prot & need) return e.pfn * 4096 + (addr % 4096);
    this.fault(dev, addr - (addr % 4096), write);
    return null;
  }

  /** dmar_fault_do_one(): records the fault and logs the kernel's line. */
  fault(dev: PciDev, iova: number, write: boolean): IommuFault {
    const reason = write ? 5 : 6;
    const f: IommuFault = { ns: this.t.env.clock.ns, bdf: dev.bdf, iova, write, reason };
    this.faultCount++;
    this.faults.push(f);
    if (this.faults.length > IOMMU_FAULT_LOG_MAX) this.faults.shift();
    this.t.env.dmesg.log(
      "err",
      `DMAR: [${write ? "DMA Write" : "DMA Read"} NO_PASID] Request device [${dev.slot}] ` +
        `fault addr 0x${iova.toString(16)} [fault reason 0x${
          reason.toString(16).padStart(2, "0")
        }] ` +
        FAULT_REASONS.get(reason),
    );
    return f;
  }
}
