/**
 * MAP_POPULATE past the machine's memory: __mm_populate() ignores fault
 * errors, but the page allocator runs the OOM killer before it fails
 * (mm/page_alloc.c __alloc_pages_may_oom -> mm/oom_kill.c out_of_memory),
 * which kills the process with the highest oom_badness(). A host with more
 * RAM than is safe to exhaust cannot show this, so the kernel source is
 * the reference here.
 */
import assert from "node:assert/strict";
import { cpuFill, Machine, meminfo, mman, syscall } from "../../mod.ts";
import { oomBadness, selectBadProcess } from "../../lib/proc/oom_kill.ts";

const RW = mman.PROT_READ | mman.PROT_WRITE;
const ANON = mman.MAP_PRIVATE | mman.MAP_ANONYMOUS;
const POP = ANON | mman.MAP_POPULATE | mman.MAP_NORESERVE;

Deno.test("MAP_POPULATE|MAP_NORESERVE of 64 GiB on a 1 GiB machine: the OOM killer kills the caller", () => {
  const m = new Machine({ ramBytes: 1 << 30 });
  const p = m.init;
  const free0 = meminfo(m).MemFree;
  syscall(p, "mmap", [0n, 64n << 30n, RW, POP, -1, 0n]);
  assert.equal(p.alive, false);
  assert.deepEqual(p.exitStatus, { signal: 9, core: false });
  assert.match(
    m.dmesg.format().at(-1)!,
    /Out of memory: Killed process 1 \(prog\) total-vm:\d+kB, anon-rss:\d+kB/,
  );
  // exit_mmap() gave every frame back.
  assert.equal(meminfo(m).MemFree, free0);
});

Deno.test("the OOM killer picks the biggest process, and the populate then completes", () => {
  const m = new Machine({ ramBytes: 256 << 20 });
  const big = m.init;
  const a = syscall(big, "mmap", [0n, 160n << 20n, RW, POP, -1, 0n]).ret;
  const small = m.process(syscall(big, "fork", []).ret)!;
  // The child drops its copy of the parent's pages, then populates 128 MiB, which cannot fit
  // beside the parent's 160 MiB: the parent (more RSS) is the victim, the child's mmap succeeds.
  assert.equal(syscall(small, "munmap", [BigInt(a), 160n << 20n]).ret, 0);
  assert.ok(oomBadness(big) > oomBadness(small));
  const r = syscall(small, "mmap", [0n, 128n << 20n, RW, POP, -1, 0n]).ret;
  assert.ok(r > 0);
  assert.equal(big.alive, false);
  assert.equal(small.alive, true);
  assert.equal(selectBadProcess(m), small);
  assert.match(m.dmesg.format().at(-1)!, /Killed process 1 /);
});

Deno.test("a store that finds no memory: the OOM killer frees the biggest process and the store goes on", () => {
  const m = new Machine({ ramBytes: 256 << 20 });
  const big = m.init;
  const a = syscall(big, "mmap", [0n, 160n << 20n, RW, POP, -1, 0n]).ret;
  const small = m.process(syscall(big, "fork", []).ret)!;
  assert.equal(syscall(small, "munmap", [BigInt(a), 160n << 20n]).ret, 0);
  const b = syscall(small, "mmap", [0n, 128n << 20n, RW, ANON | mman.MAP_NORESERVE, -1, 0n]).ret;
  const r = cpuFill(small, b, 7, 128 << 20);
  assert.equal(r.done, 128 << 20);
  assert.equal(r.killed, undefined);
  assert.equal(big.alive, false);
  assert.deepEqual(big.exitStatus, { signal: 9, core: false });
  assert.equal(small.alive, true);
  assert.match(m.dmesg.format().at(-1)!, /Out of memory: Killed process 1 /);
});
