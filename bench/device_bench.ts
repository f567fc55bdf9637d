/**
 * The device rows of `deno task bench` (issues 10, 11), mmlab only: the
 * host has no emulated PCI device (nor an RDMA NIC) to compare with. Through the public API
 * (mod.ts), as the other rows.
 * @module
 */

import { cpuWrite, Machine, syscall, type VContext, type VObject } from "../mod.ts";
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

/**
 * RDMA MR registration: `mrBytes` of touched anonymous memory (set up
 * untimed) registered with mlx5_0 (ibv_reg_mr -> ib_uverbs_reg_mr ->
 * ib_umem_get: pin_user_pages FOLL_WRITE|FOLL_LONGTERM of every page,
 * pinned_vm charged) and deregistered (ib_umem_release: unpin); ms per pair.
 */
export function benchRegMr(s: Sizes): Measurement {
  const len = s.mrBytes;
  const m = new Machine({ pci: "default", ramBytes: Math.max(1 << 30, len * 2) });
  const p = m.init;
  const v = m.rdma.verbs;
  const ctx = v.lookup(p, v.openDevice(p, "mlx5_0").ret, ["context"]);
  if (typeof ctx === "string") throw new Error(ctx);
  const pd = v.lookup(p, v.allocPd(p, ctx as VContext).ret, ["pd"]);
  if (typeof pd === "string") throw new Error(pd);
  const buf = ok("mmap", syscall(p, "mmap", [0, len, PROT_RW, MAP_ANON_PRIVATE, -1, 0]).ret);
  const one = Uint8Array.of(1);
  for (let a = buf; a < buf + len; a += 4096) cpuWrite(p, a, one);
  const IBV_ACCESS_LOCAL_WRITE = 1;
  const rep = (): number => {
    const t0 = performance.now();
    const r = v.regMr(p, pd as VObject, buf, len, IBV_ACCESS_LOCAL_WRITE);
    if (r.ret === 0n) throw new Error(`ibv_reg_mr failed: errno ${r.errno}`);
    if (p.mm.pinnedVm !== len / 4096) throw new Error("ibv_reg_mr did not pin every page");
    const mr = v.lookup(p, r.ret, ["mr"]) as VObject;
    if (v.destroy(p, mr).ret !== 0n) throw new Error("ibv_dereg_mr failed");
    return performance.now() - t0;
  };
  for (let i = 0; i < s.warmup; i++) rep();
  const samples: number[] = [];
  for (let i = 0; i < s.reps; i++) samples.push(rep());
  if (p.mm.pinnedVm !== 0) throw new Error("the MR left pages pinned");
  return { op: "rdma-reg-mr", unit: "ms/op", value: median(samples), samples };
}
