/**
 * An experiment: how many frames does a process use after touching N pages,
 * before and after fork, and after the child writes half of them?
 * Run it sandboxed: deno task script scripts/experiments/fault_costs.ts
 */
import type * as Mmlab from "../../mod.ts";

export default function (mmlab: typeof Mmlab) {
  const MAP = mmlab.mman.MAP_PRIVATE | mmlab.mman.MAP_ANONYMOUS | mmlab.mman.MAP_FIXED;
  const RW = mmlab.mman.PROT_READ | mmlab.mman.PROT_WRITE;
  const a = 0x7f0000000000n;
  console.log("pages  after-touch  after-fork  after-child-writes-half");
  for (const n of [1, 8, 64, 512]) {
    const m = new mmlab.Machine({ ramBytes: 64 << 20 });
    const p = m.init;
    const free0 = m.frames.freeCount;
    mmlab.syscall(p, "mmap", [a, BigInt(n * 4096), RW, MAP, -1, 0]);
    mmlab.cpuFill(p, a, 1, n * 4096);
    const touched = free0 - m.frames.freeCount;
    const c = m.process(mmlab.syscall(p, "fork", []).ret)!;
    const forked = free0 - m.frames.freeCount;
    mmlab.cpuFill(c, a, 2, (n >> 1) * 4096 || 4096);
    const cow = free0 - m.frames.freeCount;
    console.log(
      `${String(n).padStart(5)}  ${String(touched).padStart(11)}  ${String(forked).padStart(10)}  ${
        String(cow).padStart(23)
      }`,
    );
  }
}
