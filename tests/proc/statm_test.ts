/** /proc/PID/statm: task_statm() (fs/proc/task_mmu.c) and proc_pid_statm(). */
import assert from "node:assert/strict";
import { cpuWrite, mman, procStatm, renderProcStatm, syscall } from "../../mod.ts";
import { ANON, B, fresh, map, PG, RW, SHANON } from "./helpers.ts";

Deno.test("statm: the initial image, then anon, shared and file pages", () => {
  const [, p] = fresh();
  // 2504 kB total_vm, text 20 kB (5 pages), data 224 + stack 132 kB = 89 pages.
  assert.deepEqual(renderProcStatm(procStatm(p)), ["626 0 0 5 0 89 0"]);
  map(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  map(p, B + 8 * PG, 2 * PG, RW, SHANON);
  cpuWrite(p, B + 8 * PG, new Uint8Array([1]));
  const s = procStatm(p);
  assert.equal(s.size, 626 + 6);
  assert.equal(s.resident, 2); // one anon page, one shmem page
  assert.equal(s.shared, 1); // MM_SHMEMPAGES counts as shared
  assert.equal(s.data, 89 + 4); // the private writable mapping is data_vm
  assert.equal(s.lib, 0);
  assert.equal(s.dt, 0);
  assert.equal(syscall(p, "mprotect", [B, 4 * PG, mman.PROT_READ]).ret, 0);
  assert.equal(procStatm(p).data, 89); // no longer writable: not data_vm
});

Deno.test("statm: a dead process reads seven zeros", () => {
  const [, p] = fresh();
  syscall(p, "exit", [0]);
  assert.deepEqual(renderProcStatm(procStatm(p)), ["0 0 0 0 0 0 0"]);
});
