/**
 * trace: reclaim (MADV_PAGEOUT -> mm/vmscan.c reclaim_pages ->
 * shrink_folio_list: try_to_unmap, __remove_mapping, activate_locked) and
 * memory failure (identify_page_state, kill_proc). No swap device is
 * modelled, so there is no swap-in fault to trace.
 */
import assert from "node:assert/strict";
import { fns, session, traced, untraced } from "./trace_helpers.ts";

const CLEAN = [
  'fd = open("/tmp/r", O_RDWR|O_CREAT|O_TRUNC, 0644)',
  'pwrite(fd, "x", 1, 0)',
  "a = mmap(NULL, 4K, PROT_READ, MAP_SHARED, fd, 0)",
  "msync(a, 4K, MS_SYNC)",
  "peek(a)",
];

Deno.test("trace reclaim: a clean file page is unmapped and leaves the page cache", async () => {
  const { steps } = await traced(session(), CLEAN, "madvise(a, 4K, MADV_PAGEOUT)");
  assert.deepEqual(fns(steps), [
    "__do_sys_madvise",
    "madvise_vma_behavior",
    "try_to_unmap",
    "__remove_mapping",
    "__do_sys_madvise",
  ]);
  assert.deepEqual(steps[3].path.slice(1), [
    "reclaim_pages",
    "shrink_folio_list",
    "__remove_mapping",
  ]);
  assert.match(
    steps[3].decision ?? "",
    /^clean pfn 0x[0-9a-f]+ leaves the page cache \(pgoff 0\): freed$/,
  );
});

Deno.test("trace reclaim: an anonymous page cannot be swapped: activate_locked; a pinned one is kept", async () => {
  const s = session();
  const anon = "b = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";
  const { steps } = await traced(s, [anon, "poke(b, 1)"], "madvise(b, 4K, MADV_PAGEOUT)");
  assert.deepEqual(fns(steps), [
    "__do_sys_madvise",
    "madvise_vma_behavior",
    "shrink_folio_list",
    "__do_sys_madvise",
  ]);
  assert.match(
    steps[2].decision ?? "",
    /: no swap device, folio_alloc_swap fails: activate_locked_split$/,
  );
  const pinned = await traced(
    s,
    ["pin_user_pages(b, 1, FOLL_WRITE)"],
    "madvise(b, 4K, MADV_PAGEOUT)",
  );
  assert.match(pinned.steps[2].decision ?? "", /maybe DMA-pinned: kept$/);
});

Deno.test("trace reclaim: a clean MADV_FREE page is discarded; one written again is kept", async () => {
  const s = session();
  const anon = "c = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";
  const { steps } = await traced(
    s,
    [anon, "poke(c, 1)", "poke(c + 4K, 2)", "madvise(c, 8K, MADV_FREE)", "poke(c + 4K, 3)"],
    "madvise(c, 8K, MADV_PAGEOUT)",
  );
  const unmap = steps.filter((st) => st.path.at(-1) === "try_to_unmap_one");
  assert.deepEqual(unmap.map((st) => st.path.slice(1)), [
    ["reclaim_pages", "shrink_folio_list", "try_to_unmap_one"],
    ["reclaim_pages", "shrink_folio_list", "try_to_unmap_one"],
  ]);
  assert.match(
    unmap[0].decision ?? "",
    /^clean lazyfree pfn 0x[0-9a-f]+ at 0x[0-9a-f]+: discarded$/,
  );
  assert.match(
    unmap[1].decision ?? "",
    /^lazyfree pfn 0x[0-9a-f]+ dirtied again: folio_set_swapbacked, kept$/,
  );
});

Deno.test("trace memory failure: kill_proc with BUS_MCEERR_AR, then identify_page_state's verdict", async () => {
  const { steps } = await traced(session(), [
    "policy config.MEMORY_FAILURE y",
    "a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    'poke(a, "data")',
  ], "madvise(a, 4K, MADV_HWPOISON)");
  const mf = steps.filter((x) => x.path.includes("memory_failure"));
  assert.deepEqual(fns(mf), ["kill_proc", "identify_page_state"]);
  assert.match(mf[0].decision ?? "", /^SIGBUS BUS_MCEERR_AR to prog:1 at 0x[0-9a-f]+$/);
  assert.match(mf[1].decision ?? "", /: dirty LRU page: Recovered$/);
  // The page was taken with GUP first (madvise_inject_error -> get_user_pages_fast).
  assert.ok(fns(steps).indexOf("get_user_pages") < fns(steps).indexOf("kill_proc"));
});

Deno.test("trace reclaim off: no step", async () => {
  const out = await untraced(session(), [...CLEAN, "madvise(a, 4K, MADV_PAGEOUT)"]);
  assert.ok(!out.some((l) => l.startsWith("trace: ")));
});
