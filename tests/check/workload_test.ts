/**
 * The random workload (lib/check/workload.ts) in bounded runs: every
 * invariant after every step, over every kind of object, and no frame
 * leaked once every pin is released and every process has exited.
 */
import assert from "node:assert/strict";
import { checkInvariants, Machine, syscall } from "../../mod.ts";
import { soak, Workload, WORKLOAD_OPS, type WorkloadOp } from "../../lib/check/workload.ts";

/** Frames in use that are not page-cache pages of a linked file. */
function uncached(m: Machine): number {
  let used = 0;
  for (let pfn = 0; pfn < m.frames.refcount.length; pfn++) if (m.frames.refcount[pfn] > 0) used++;
  let cached = 0;
  for (const inode of m.fs.names.values()) cached += inode.pages.size;
  return used - cached;
}

/** A machine like `config` whose processes all exited at once. */
function idle(config: Machine["config"]): Machine {
  const m = new Machine({ ...config });
  syscall(m.init, "exit", [0]);
  return m;
}

const SEEDS = 40;
const STEPS = 150;

Deno.test("workload: invariants hold after every step over anon, shared, file, memfd, fork, pins, brk", () => {
  const succeeded: Partial<Record<WorkloadOp, number>> = {};
  let forbid = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const w = new Workload({ seed });
    if (w.machine.policy("mm.zeroPage") === "forbid") forbid++;
    const trail: string[] = [];
    for (let i = 0; i < STEPS; i++) {
      const s = w.step();
      trail.push(`[${s.pid}] ${s.text}`);
      const errs = checkInvariants(w.machine, { merged: false });
      assert.deepEqual(errs, [], `seed ${seed}, step ${i}:\n${trail.slice(-8).join("\n")}`);
    }
    w.finish();
    assert.deepEqual(checkInvariants(w.machine, { merged: false }), [], `seed ${seed} at the end`);
    // Nothing is left but page-cache pages of the files on the disk.
    assert.equal(uncached(w.machine), uncached(idle(w.machine.config)), `seed ${seed}: leaked`);
    for (const [k, n] of Object.entries(w.succeeded)) {
      succeeded[k as WorkloadOp] = (succeeded[k as WorkloadOp] ?? 0) + n;
    }
  }
  // Every kind of step did real work in some run, and both zero-page modes were met.
  for (const k of Object.keys(WORKLOAD_OPS)) {
    assert.ok(
      (succeeded[k as WorkloadOp] ?? 0) > 0,
      `no accepted ${k}: ${JSON.stringify(succeeded)}`,
    );
  }
  assert.ok(forbid > 0 && forbid < SEEDS, `${forbid} of ${SEEDS} machines forbid the zero page`);
});

Deno.test("workload: the same seed takes the same steps", () => {
  const a = new Workload({ seed: 9 }), b = new Workload({ seed: 9 });
  for (let i = 0; i < 300; i++) assert.deepEqual(a.step(), b.step());
  assert.deepEqual(a.machine.events.end, b.machine.events.end);
});

Deno.test("workload regression (soak seed 31372): UFFDIO_COPY whose source read maps dst by fault-around is EEXIST", () => {
  // Reading the source page of a private memfd mapping faulted its neighbour,
  // the copy's dst, in by fault-around; the copy then put an anonymous page
  // over that PTE and the page-cache page kept a mapcount with no PTE.
  const w = new Workload({ seed: 31372 });
  for (let i = 0; i < 3836; i++) w.step();
  assert.deepEqual(checkInvariants(w.machine, { merged: false }), []);
});

Deno.test("workload regression (soak seed 40043): UFFDIO_REGISTER over VMAs that merge as it goes", () => {
  // Registering the first VMA merged it with the next one, which the
  // register loop then modified from a stale list ("not in this tree").
  const w = new Workload({ seed: 40043 });
  for (let i = 0; i < 1400; i++) w.step();
  assert.deepEqual(checkInvariants(w.machine, { merged: false }), []);
});

Deno.test("workload: a bounded soak (20,000 steps over 4 machines, invariants every 25 steps)", () => {
  const r = soak({
    seed: 100,
    steps: 20_000,
    perWorkload: 5000,
    checkEvery: 25,
    check: (m) => checkInvariants(m, { merged: false }),
  });
  assert.equal(r.violation, undefined, JSON.stringify(r.violation, null, 1));
  assert.equal(r.steps, 20_000);
  assert.equal(r.workloads, 4);
});

Deno.test("workload: ODP memory regions take device faults and survive invalidations", () => {
  const w = new Workload({ seed: 5 });
  for (let i = 0; i < 20_000; i++) {
    w.step();
    if (i % 500 === 0) {
      assert.deepEqual(checkInvariants(w.machine, { merged: false }), [], `step ${i}`);
    }
  }
  // NIC accesses through an ODP MR succeeded (a device page fault or an MTT hit)...
  assert.ok(w.succeeded["odp-access"] > 0, JSON.stringify(w.succeeded));
  assert.deepEqual(checkInvariants(w.machine, { merged: false }), []);
});
