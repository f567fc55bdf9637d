/**
 * trace: HMM (mm/hmm.c hmm_range_fault's walk, per VMA and per PMD, its
 * -EFAULT/-EPERM/-EBUSY) and the interval notifiers' sequence
 * (mmu_interval_read_begin, mn_itree_invalidate, mn_itree_inv_end,
 * mmu_interval_read_retry).
 */
import assert from "node:assert/strict";
import { fns, session, traced, untraced } from "./trace_helpers.ts";

const ANON = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";
const RW = "HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE";

Deno.test("trace hmm: a COW fault moves the sequence: -EBUSY, read_begin again, then a clean walk", async () => {
  const { steps } = await traced(
    session(),
    [ANON, "poke(a, 1)", "fork()"],
    `hmm_range_fault(a, 2, ${RW})`,
  );
  assert.deepEqual(fns(steps), [
    "mmu_interval_read_begin",
    "hmm_range_fault",
    "hmm_vma_walk_test",
    "hmm_vma_fault",
    "handle_pte_fault",
    "wp_page_copy",
    "ops->invalidate",
    "mmu_interval_set_seq",
    "mn_itree_inv_end",
    "handle_pte_fault",
    "set_pte_at",
    "hmm_vma_fault",
    "mmu_interval_check_retry",
    "hmm_range_fault",
    "mmu_interval_read_begin",
    "hmm_range_fault",
    "hmm_vma_walk_test",
    "hmm_vma_handle_pte",
    "hmm_range_fault",
    "mmu_interval_read_retry",
    "dmirror_do_fault",
  ]);
  assert.equal(steps[12].errno, "-EBUSY");
  assert.equal(steps[13].decision, "returns -EBUSY");
  assert.match(steps[7].decision ?? "", /^interval 1: invalidate_seq 3; 0 device PTEs dropped$/);
  assert.match(
    steps[6].decision ?? "",
    /^MMU_NOTIFY_CLEAR \[0x[0-9a-f]+, 0x[0-9a-f]+\) hits interval 1 .*: cur_seq 3$/,
  );
  assert.match(
    steps[17].decision ?? "",
    /: 2 HMM_PFN_VALID \(2 HMM_PFN_WRITE\), 0 HMM_PFN_ERROR, 0 empty$/,
  );
  assert.equal(steps[18].decision, "returns 0");
  assert.match(steps[2].vma ?? "", /^vma [0-9a-f]+-[0-9a-f]+ rw-p /);
});

Deno.test("trace hmm: -EPERM for a write fault of a read-only VMA, -EFAULT for a hole", async () => {
  const s = session();
  const ro = await traced(
    s,
    ["r = mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"],
    `hmm_range_fault(r, 1, ${RW})`,
  );
  assert.deepEqual(fns(ro.steps), [
    "mmu_interval_read_begin",
    "hmm_range_fault",
    "hmm_vma_walk_test",
    "hmm_vma_walk_hole",
    "hmm_vma_fault",
    "hmm_range_fault",
  ]);
  assert.match(ro.steps[3].decision ?? "", /^no page table under .*: a fault is asked$/);
  assert.equal(ro.steps[4].errno, "-EPERM");
  const hole = await traced(s, ["munmap(r, 4K)"], `hmm_range_fault(r, 1, ${RW})`);
  assert.deepEqual(fns(hole.steps), [
    "mmu_interval_read_begin",
    "hmm_range_fault",
    "hmm_vma_walk_hole",
    "hmm_range_fault",
  ]);
  assert.equal(hole.steps[2].errno, "-EFAULT");
  assert.equal(hole.steps[3].decision, "returns -EFAULT");
});

Deno.test("trace hmm: an unmap invalidates the interval: cur_seq odd, then even at the end", async () => {
  const s = session();
  const { steps } = await traced(s, [ANON, `hmm_range_fault(a, 1, ${RW})`], "munmap(a, 4K)");
  const inv = steps.filter((x) => x.fn === "ops->invalidate" || x.fn === "mn_itree_inv_end");
  assert.equal(inv.length, 2);
  const drop = steps.find((x) => x.fn === "mmu_interval_set_seq");
  assert.match(drop?.decision ?? "", /; 1 device PTE dropped$/);
  assert.match(inv[0].decision ?? "", /^MMU_NOTIFY_UNMAP .*: cur_seq \d*[13579]$/);
  assert.match(inv[1].decision ?? "", /invalidate_seq \d*[02468] \(even\)/);
  assert.deepEqual(inv[0].path.slice(0, 2), [
    "__do_sys_munmap",
    "mmu_notifier_invalidate_range_start",
  ]);
});

Deno.test("trace hmm off: mirroring and invalidating produce no step", async () => {
  const out = await untraced(session(), [
    ANON,
    "poke(a, 1)",
    "fork()",
    `hmm_range_fault(a, 2, ${RW})`,
    "munmap(a, 4K)",
  ]);
  assert.ok(!out.some((l) => l.startsWith("trace: ")));
});
