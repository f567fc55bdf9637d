/** The shared counters behind smaps, status, ps and meminfo. */
import assert from "node:assert/strict";
import { cpuRead, cpuWrite, mman, syscall } from "../../mod.ts";
import {
  isDataMapping,
  isExecMapping,
  isStackMapping,
  mmRss,
  pgtableCounts,
  pgtablesBytes,
  PSS_SHIFT,
  smapGatherStats,
  vmCounters,
} from "../../lib/proc/stats.ts";
import {
  set,
  VM_ACCOUNT,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_MAYREAD,
  VM_READ,
  VM_SHADOW_STACK,
  VM_SHARED,
  VM_WRITE,
} from "../../lib/mm/vm_flags.ts";
import { ANON, B, fresh, map, PG, RW, SHANON } from "./helpers.ts";

Deno.test("stats: vm_stat_account classes (mm/internal.h)", () => {
  const rx = VM_READ | VM_EXEC | VM_MAYREAD;
  assert.ok(isExecMapping(rx));
  assert.ok(!isExecMapping(rx | VM_WRITE)); // writable code is data
  assert.ok(isDataMapping(rx | VM_WRITE));
  assert.ok(!isExecMapping(rx | VM_GROWSDOWN));
  assert.ok(isStackMapping(VM_READ | VM_WRITE | VM_GROWSDOWN));
  assert.ok(isStackMapping(set(VM_READ, VM_SHADOW_STACK)));
  assert.ok(!isDataMapping(VM_READ | VM_WRITE | VM_SHARED)); // shared memory is none of them
  assert.ok(!isDataMapping(VM_READ | VM_ACCOUNT)); // read-only is not data
  assert.ok(!isStackMapping(VM_READ | VM_WRITE));
});

Deno.test("stats: vmCounters of the initial image", () => {
  const [, p] = fresh();
  assert.deepEqual(vmCounters(p.mm), {
    totalVm: 626, // 2504 kB
    lockedVm: 0,
    pinnedVm: 0,
    dataVm: 56, // 224 kB
    execVm: 387, // prog 20 + libc 1368 + vdso 8 + ld.so 152 kB
    stackVm: 33, // 132 kB
  });
});

Deno.test("stats: smapGatherStats keeps PSS in fixed point", () => {
  const [m, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array(3 * PG).fill(1));
  syscall(p, "fork", []);
  syscall(p, "fork", []);
  const v = p.mm.vmas.lookup(B)!;
  const s = smapGatherStats(v);
  // Three pages, each mapped 3 times: 3 * floor((4096 << 12) / 3).
  assert.equal(s.pss, 3 * Math.floor(4096 * 2 ** PSS_SHIFT / 3));
  assert.equal(s.pss, s.pssAnon);
  assert.equal(s.pss, s.pssDirty);
  assert.deepEqual(
    [s.resident, s.sharedDirty, s.privateDirty, s.anonymous, s.referenced],
    [3 * PG, 3 * PG, 0, 3 * PG, 3 * PG],
  );
  void m;
});

Deno.test("stats: mmRss splits anon, file and shmem; the zero page counts nowhere", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuRead(p, B + PG, 1);
  map(p, B + 0x100000, 2 * PG, RW, SHANON);
  cpuWrite(p, B + 0x100000, new Uint8Array(2 * PG).fill(1));
  const fd = syscall(p, "open", ["/tmp/rss", 0o102, 0o644]).ret;
  assert.equal(syscall(p, "ftruncate", [fd, 4 * PG]).ret, 0);
  map(p, B + 0x200000, 4 * PG, mman.PROT_READ, mman.MAP_PRIVATE | mman.MAP_FIXED_NOREPLACE, fd);
  // The first read reads the whole file (read-around) and maps it (fault-around).
  cpuRead(p, B + 0x200000, 1);
  assert.deepEqual(mmRss(p.mm), { anon: 1, file: 4, shmem: 2 });
});

Deno.test("stats: page-table pages below the PGD", () => {
  const [, p] = fresh();
  assert.deepEqual(pgtableCounts(p.mm), { puds: 0, pmds: 0, ptes: 0 });
  map(p, B, PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  assert.deepEqual(pgtableCounts(p.mm), { puds: 1, pmds: 1, ptes: 1 });
  // Same PUD, another 1 GiB: a new PMD table and PTE table.
  map(p, B + 2 ** 30, PG, RW, ANON);
  cpuWrite(p, B + 2 ** 30, new Uint8Array([1]));
  // Another PGD slot (512 GiB away): all three levels again.
  map(p, B - 2 ** 39, PG, RW, ANON);
  cpuWrite(p, B - 2 ** 39, new Uint8Array([1]));
  assert.deepEqual(pgtableCounts(p.mm), { puds: 2, pmds: 3, ptes: 3 });
  assert.equal(pgtablesBytes(p.mm), 8 * PG);
});
