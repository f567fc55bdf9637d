/**
 * A Base Address Register and the registers behind it. The register model
 * is deterministic so that tests and transcripts can name values: an
 * unwritten 32-bit register at offset `o` reads `0xC0DE0000 | (o & 0xFFFF)`;
 * a write is stored (little-endian, byte-merged into the 32-bit registers
 * it covers) and appended to the function's doorbell log.
 *
 * Whether the function answers at all is decided by its state and its
 * COMMAND register (lib/pci/device.ts decodes()); an access it does not
 * claim follows `hw.mmioUnclaimed` (lib/pci/mmio.ts).
 * @module
 */

import type { Resource } from "../phys/iomem.ts";

/** mem32, mem64 (a 64-bit BAR uses two registers), or an I/O port range. */
export type BarKind = "mem32" | "mem64" | "io";

/** A BAR as a configuration asks for it. */
export interface BarSpec {
  /** BAR0..BAR5 (a mem64 BAR takes index and index+1). */
  index: number;
  /** Register width and space. */
  kind: BarKind;
  /** A power of two: 4 KiB or more for memory, 4 bytes or more for I/O. */
  size: number;
  /** Prefetchable memory (PCI_BASE_ADDRESS_MEM_PREFETCH); ignored for I/O. */
  prefetch: boolean;
}

/** The value an unwritten 32-bit register at `o` reads. */
export function registerPattern(o: number): number {
  return (0xC0DE0000 | (o & 0xffff)) >>> 0;
}

/** A BAR of one function. */
export class Bar {
  /** Bus address (the CPU physical address here: no translation in the host bridge). */
  addr = 0;
  /** Its range in /proc/iomem (memory BARs), null for I/O or unassigned. */
  res: Resource | null = null;
  /** Written registers by 4-byte-aligned offset (sparse). */
  readonly regs: Map<number, number> = new Map();

  /** An unassigned BAR; the topology assigns `addr` and `res` at enumeration. */
  constructor(
    readonly index: number,
    readonly kind: BarKind,
    readonly size: number,
    readonly prefetch: boolean,
  ) {}

  /** Memory (not I/O port) space. */
  get isMem(): boolean {
    return this.kind !== "io";
  }

  /** The register model's bytes at [off, off+len). */
  read(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    for (let i = 0; i < len; i++) {
      const o = off + i;
      const reg = o & ~3;
      const v = this.regs.get(reg) ?? registerPattern(reg);
      out[i] = (v >>> ((o & 3) * 8)) & 0xff;
    }
    return out;
  }

  /** Stores `data` at `off` into the registers it covers. */
  store(off: number, data: Uint8Array): void {
    for (let i = 0; i < data.length; i++) {
      const o = off + i;
      const reg = o & ~3;
      const sh = (o & 3) * 8;
      const v = this.regs.get(reg) ?? registerPattern(reg);
      this.regs.set(reg, ((v & ~(0xff << sh)) | (data[i] << sh)) >>> 0);
    }
  }

  /** The 32-bit register at a 4-aligned offset. */
  reg32(off: number): number {
    return this.regs.get(off & ~3) ?? registerPattern(off & ~3);
  }
}
