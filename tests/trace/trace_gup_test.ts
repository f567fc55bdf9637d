/**
 * trace: GUP (mm/gup.c pin_user_pages / get_user_pages): check_vma_flags'
 * decision, FOLL_LONGTERM refusals with the policy that refused, the
 * FAULT_FLAG_UNSHARE of a COW-shared page, faultin_page, try_grab_folio
 * and the pin bias.
 */
import assert from "node:assert/strict";
import { fns, session, traced, untraced } from "./trace_helpers.ts";

const ANON = "a = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

Deno.test("trace gup: a read-only long-term pin of a COW-shared page unshares, then pins with the bias", async () => {
  const { steps } = await traced(
    session(),
    [ANON, "poke(a, 1)", "fork()"],
    "pin_user_pages(a, 1, FOLL_LONGTERM)",
  );
  assert.deepEqual(fns(steps), [
    "pin_user_pages",
    "mm_set_has_pinned_flag",
    "__get_user_pages",
    "check_vma_flags",
    "gup_must_unshare",
    "wp_page_copy",
    "try_grab_folio",
    "pin_user_pages",
  ]);
  assert.equal(steps[4].policy, "gup.roLongtermInCow=unshare");
  assert.match(
    steps[6].decision ?? "",
    /^FOLL_PIN: refcount \+= GUP_PIN_COUNTING_BIAS \(1024\): 1025,/,
  );
  assert.equal(steps[7].decision, "returns 1");
});

Deno.test("trace gup: a missing page goes faultin_page → handle_mm_fault, then try_grab_folio", async () => {
  const { steps } = await traced(session(), [ANON], "get_user_pages(a, 1, FOLL_WRITE)");
  assert.deepEqual(fns(steps), [
    "get_user_pages",
    "__get_user_pages",
    "check_vma_flags",
    "faultin_page",
    "handle_pte_fault",
    "set_pte_at",
    "try_grab_folio",
    "get_user_pages",
  ]);
  assert.deepEqual(steps[4].path.slice(0, 4), [
    "get_user_pages",
    "__get_user_pages",
    "faultin_page",
    "handle_mm_fault",
  ]);
  assert.equal(steps[1].policy, "gup.pinModel=pin");
  assert.match(steps[6].decision ?? "", /^a plain reference: refcount 2$/);
});

Deno.test("trace gup: check_vma_flags names the refusing check, its errno and policy", async () => {
  const s = session();
  const dax = await traced(s, [
    'fd = open("/mnt/pmem/g", O_RDWR|O_CREAT, 0644)',
    "ftruncate(fd, 4K)",
    "b = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)",
  ], "pin_user_pages(b, 1, FOLL_WRITE|FOLL_LONGTERM)");
  assert.deepEqual(fns(dax.steps), [
    "pin_user_pages",
    "mm_set_has_pinned_flag",
    "__get_user_pages",
    "check_vma_flags",
    "pin_user_pages",
  ]);
  const check = dax.steps[3];
  assert.equal(check.errno, "-EOPNOTSUPP");
  assert.equal(check.policy, "gup.longtermFsdax=eopnotsupp");
  assert.match(check.vma ?? "", /^vma [0-9a-f]+-[0-9a-f]+ rw-s /);
  const ro = await traced(
    s,
    ["c = mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"],
    "pin_user_pages(c, 1, FOLL_WRITE)",
  );
  const c = ro.steps.find((x) => x.fn === "check_vma_flags")!;
  assert.equal(c.decision, "FOLL_WRITE on a VMA without VM_WRITE: -EFAULT");
  assert.equal(c.policy, undefined);
});

Deno.test("trace gup off: pins and gets produce no step", async () => {
  const out = await untraced(session(), [
    ANON,
    "poke(a, 1)",
    "fork()",
    "pin_user_pages(a, 2, FOLL_LONGTERM)",
  ]);
  assert.ok(!out.some((l) => l.startsWith("trace: ")));
});
