/**
 * The device rows of `deno task bench` (issue 10), mmlab only: the host
 * has no emulated PCI device to compare with. Through the public API
 * (mod.ts), as the other rows.
 * @module
 */

import { cpuWrite, Machine, syscall } from "../mod.ts";
import { type Measurement, median, type Sizes } from "./ops.ts";

const O_RDWR = 2;
const PROT_RW = 3;
const MAP_SHARED = 1;
const MAP_ANON_PRIVATE = 0x22;

function ok(what: string, ret: number): number {
  if (ret < 0) throw new Error(`${what} failed: ${ret}`);
  return ret;
}

function repeat(op: string, s: Sizes, rep: () => number): Measurement {
  for (let i = 0; i < s.warmup; i++) rep();
  const samples: number[] = [];
  for (let i = 0; i < s.reps; i++) samples.push(rep());
  return { op, unit: "ops/s", value: median(samples), samples };
}

/**
 * Doorbell writes: BAR0 of the 82599ES mapped from
 * /sys/bus/pci/devices/0000:05:00.0/resource0 (the mapping set up
 * untimed); each op a 4-byte store through the special PTE into the
 * register model (stored and appended to the doorbell log), cycling over
 * 64 KiB of registers.
 */
export function benchDoorbell(s: Sizes): Measurement {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const fd = ok(
    "open",
    syscall(p, "open", ["/sys/bus/pci/devices/0000:05:00.0/resource0", O_RDWR]).ret,
  );
  const a = ok("mmap", syscall(p, "mmap", [0, 1 << 16, PROT_RW, MAP_SHARED, fd, 0]).ret);
  const val = Uint8Array.of(1, 0, 0, 0);
  return repeat("device-doorbell", s, () => {
    const n = s.doorbellWrites;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      val[0] = i & 0xff;
      if (cpuWrite(p, a + ((i * 4) & 0xfffc), val).sig !== undefined) {
        throw new Error("store faulted");
      }
    }
    return n / ((performance.now() - t0) / 1000);
  });
}

/**
 * DMA ops: the 82599ES writes 4 KiB into a page of the process (at its
 * physical address: no IOMMU domain) per op; each repetition queues
 * `dmaOps` of them and lets virtual time pass until all completed.
 */
export function benchDma(s: Sizes): Measurement {
  const m = new Machine({ pci: "default" });
  const p = m.init;
  const buf = ok("mmap", syscall(p, "mmap", [0, 4096, PROT_RW, MAP_ANON_PRIVATE, -1, 0]).ret);
  cpuWrite(p, buf, Uint8Array.of(1));
  const phys = p.mm.pt.pfnAt(buf / 4096) * 4096;
  const eng = m.pci.dma(m.pci.find("05:00.0")!);
  const data = new Uint8Array(4096).fill(0x5a);
  return repeat("device-dma", s, () => {
    const n = s.dmaOps;
    const before = eng.completedCount;
    const t0 = performance.now();
    let last = 0;
    for (let i = 0; i < n; i++) {
      const op = eng.submit("write", phys, 4096, data);
      if (typeof op === "string") throw new Error(op);
      last = op.due;
    }
    m.sched.advanceTo(last);
    const dt = performance.now() - t0;
    if (eng.completedCount - before !== n) throw new Error("DMA ops did not all complete");
    return n / (dt / 1000);
  });
}
