/** ps: procps-ng's `ps -o pid,ppid,stat,vsz,rss,comm` layout. */
import assert from "node:assert/strict";
import { cpuWrite, mman, psLines, syscall } from "../../mod.ts";
import { ANON, B, fresh, map, PG, RW } from "./helpers.ts";

Deno.test("ps: one process", () => {
  const [m] = fresh();
  assert.deepEqual(psLines(m), [
    "  PID  PPID STAT    VSZ   RSS COMMAND",
    "    1     0 R      2504     0 prog",
  ]);
});

Deno.test("ps: a forked child and a zombie, in pid order", () => {
  const [m, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array(2 * PG).fill(1));
  const c1 = m.process(syscall(p, "fork", []).ret)!;
  const c2 = m.process(syscall(p, "fork", []).ret)!;
  syscall(c1, "exit", [0]);
  void c2;
  // A zombie has no mm: VSZ and RSS 0 (procps prints the bare comm for -o comm).
  assert.deepEqual(psLines(m), [
    "  PID  PPID STAT    VSZ   RSS COMMAND",
    "    1     0 R      2520     8 prog",
    "    2     1 Z         0     0 prog",
    "    3     1 R      2520     8 prog",
  ]);
});

Deno.test("ps: a VSZ wider than its column pushes the line and RSS gives back its padding", () => {
  const [m, p] = fresh();
  // 20 GiB of PROT_NONE reservation (✔ probe p6: "S    20973864 1452 p6").
  const len = 20 * 2 ** 30;
  const r = syscall(p, "mmap", [
    0n,
    BigInt(len),
    mman.PROT_NONE,
    mman.MAP_PRIVATE | mman.MAP_ANONYMOUS | mman.MAP_NORESERVE,
    -1n,
    0n,
  ]).ret;
  assert.ok(r > 0);
  map(p, B, PG, RW, ANON);
  cpuWrite(p, B, new Uint8Array([1]));
  assert.deepEqual(psLines(m), [
    "  PID  PPID STAT    VSZ   RSS COMMAND",
    "    1     0 R    20974028   4 prog",
  ]);
});
