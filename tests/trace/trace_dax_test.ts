/**
 * trace: DAX faults (fs/dax.c dax_iomap_pte_fault through ext4_dax_fault,
 * device-dax's __dev_dax_pte_fault), as sequences of modelled functions.
 */
import assert from "node:assert/strict";
import { fns, session, traced, untraced } from "./trace_helpers.ts";

const OPEN = 'fd = open("/mnt/pmem/f", O_RDWR|O_CREAT, 0644)';
const SHARED = [
  OPEN,
  "ftruncate(fd, 8K)",
  "a = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)",
];

Deno.test("trace dax: a read of a hole is dax_load_hole (the zero page), nothing allocated", async () => {
  const { steps } = await traced(session(), SHARED, "peek(a)");
  assert.deepEqual(fns(steps), [
    "do_user_addr_fault",
    "lock_mm_and_find_vma",
    "handle_pte_fault",
    "__do_fault",
    "dax_iomap_pte_fault",
    "ext4_iomap_begin",
    "vmf_insert_page_mkwrite",
    "__do_fault",
    "do_user_addr_fault",
  ]);
  assert.deepEqual(steps[6].path.slice(-3), [
    "dax_fault_iter",
    "dax_load_hole",
    "vmf_insert_page_mkwrite",
  ]);
  assert.equal(steps[5].decision, "IOMAP_HOLE: no block");
  assert.match(steps[4].vma ?? "", /^vma [0-9a-f]+-[0-9a-f]+ rw-s \(rd wr sh mr mw me ms hg\)$/);
});

Deno.test("trace dax: a write to the hole's zero page goes wp_pfn_shared → pfn_mkwrite, allocates, replaces", async () => {
  const { steps } = await traced(session(), [...SHARED, "peek(a)"], "poke(a, 7)");
  assert.deepEqual(fns(steps), [
    "do_user_addr_fault",
    "lock_mm_and_find_vma",
    "handle_pte_fault",
    "wp_pfn_shared",
    "dax_iomap_pte_fault",
    "ext4_iomap_begin",
    "unmap_mapping_pages",
    "vmf_insert_page_mkwrite",
    "do_user_addr_fault",
  ]);
  assert.ok(steps[4].path.includes("ext4_dax_fault"));
  assert.match(
    steps[5].decision ?? "",
    /^IOMAP_MAPPED\|IOMAP_F_NEW: a zeroed block allocated, pfn 0x/,
  );
  assert.equal(typeof steps[7].pfn, "number");
});

Deno.test("trace dax: a private write fault copies (dax_fault_cow_page), past EOF is SIGBUS", async () => {
  const s = session();
  const priv = "b = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 0)";
  const { steps } = await traced(s, [...SHARED, priv], "poke(b, 1)");
  assert.deepEqual(fns(steps).slice(3, 8), [
    "__do_fault",
    "dax_iomap_pte_fault",
    "ext4_iomap_begin",
    "dax_fault_cow_page",
    "finish_fault",
  ]);
  assert.ok(steps[3].path.includes("do_cow_fault"));
  const past = await traced(s, ["ftruncate(fd, 4K)"], "peek(a + 4K)");
  const last = past.steps.find((x) => x.fn === "dax_iomap_pte_fault");
  assert.equal(last?.errno, "VM_FAULT_SIGBUS");
  assert.ok(past.output.some((l) => l.includes("SIGBUS")));
});

Deno.test("trace dax: device-dax faults name __dev_dax_pte_fault and the namespace pfn", async () => {
  const { steps } = await traced(session(), [
    'fd = open("/dev/dax0.0", O_RDWR)',
    "a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)",
  ], "peek(a)");
  const dev = steps.find((x) => x.fn === "__dev_dax_pte_fault");
  assert.ok(dev !== undefined, steps.map((x) => x.fn).join(" "));
  assert.deepEqual(dev.path.slice(-3), [
    "dev_dax_fault",
    "dev_dax_huge_fault",
    "__dev_dax_pte_fault",
  ]);
  assert.match(
    dev.decision ?? "",
    /^dax_pgoff_to_phys: pgoff 0 is pfn 0x[0-9a-f]+ of namespace0\.1$/,
  );
});

Deno.test("trace dax off: the same DAX faults produce no step and no trace line", async () => {
  const out = await untraced(session(), [...SHARED, "peek(a)", "poke(a, 7)", "peek(a + 4K)"]);
  assert.ok(!out.some((l) => l.startsWith("trace: ")));
});
