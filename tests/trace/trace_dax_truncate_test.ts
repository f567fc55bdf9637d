/**
 * trace: truncate and hole punch of a DAX file with a pinned block, under
 * each dax.truncateWithPin design (fs/ext4 ext4_break_layouts ->
 * fs/dax.c dax_break_layout -> dax_layout_busy_page_range).
 */
import assert from "node:assert/strict";
import { fns, session, traced, untraced } from "./trace_helpers.ts";

const PINNED = [
  "policy gup.longtermFsdax allow",
  "policy gup.longtermWriteFileShared allow",
  "app = fork()",
  '@app fd = open("/mnt/pmem/r", O_RDWR|O_CREAT, 0644)',
  "@app ftruncate(fd, 4K)",
  "@app a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)",
  '@app poke(a, "app data")',
  "@app pin_user_pages(a, 1, FOLL_WRITE|FOLL_LONGTERM)",
  'f = open("/mnt/pmem/r", O_RDWR)',
];

const BUSY = "dax_layout_busy_page_range";

Deno.test("trace dax truncate, block: unmap, the busy pinned block, the sleep; the unpin restarts the call", async () => {
  const s = session();
  const { steps } = await traced(
    s,
    ["policy dax.truncateWithPin block", ...PINNED],
    "ftruncate(f, 0)",
  );
  assert.deepEqual(fns(steps), [
    "__do_sys_ftruncate",
    "unmap_mapping_pages",
    BUSY,
    "ext4_wait_dax_page",
    "__do_sys_ftruncate",
  ]);
  assert.deepEqual(steps[1].path.slice(1, 5), [
    "ext4_setattr",
    "ext4_break_layouts",
    "dax_break_layout",
    BUSY,
  ]);
  assert.match(
    steps[2].decision ?? "",
    /^busy: pfn 0x[0-9a-f]+ still referenced \(refcount 1024, 1 pins\)$/,
  );
  assert.equal(steps[2].policy, "dax.truncateWithPin=block");
  assert.equal(typeof steps[2].pfn, "number");
  const woken = await traced(s, [], "@app unpin_user_pages(a, 1)");
  assert.deepEqual(fns(woken.steps), [
    "__do_sys_ftruncate",
    "unmap_mapping_pages",
    BUSY,
    "ext4_truncate",
    "__do_sys_ftruncate",
  ]);
  assert.equal(woken.steps[0].decision, "pid 1 woken: the call restarts");
  assert.equal(woken.steps[3].decision, "1 block freed (pgoff 0..0), back to the allocator");
  assert.equal(woken.steps[4].decision, "returns 0");
});

for (
  const [knob, decision, errno] of [
    ["corrupt", "no wait: the blocks are freed with the references still on them", undefined],
    ["fail-etxtbsy", "the truncate is refused: -ETXTBSY", "-ETXTBSY"],
    ["redirect", "1 held reference moved to scratch pages; 0 blocks still busy", undefined],
  ] as const
) {
  Deno.test(`trace dax truncate, ${knob}: the design's decision at dax_layout_busy_page_range`, async () => {
    const { steps } = await traced(
      session(),
      [`policy dax.truncateWithPin ${knob}`, ...PINNED],
      "ftruncate(f, 0)",
    );
    const decided = steps.filter((x) => x.fn === BUSY);
    assert.equal(decided.length, 2, fns(steps).join(" "));
    assert.equal(decided[1].decision, decision);
    assert.equal(decided[1].policy, `dax.truncateWithPin=${knob}`);
    assert.equal(decided[1].errno, errno);
    assert.deepEqual(
      fns(steps),
      errno === undefined
        ? [
          "__do_sys_ftruncate",
          "unmap_mapping_pages",
          BUSY,
          BUSY,
          "ext4_truncate",
          "__do_sys_ftruncate",
        ]
        : ["__do_sys_ftruncate", "unmap_mapping_pages", BUSY, BUSY, "__do_sys_ftruncate"],
    );
  });
}

Deno.test("trace dax truncate, notify-kill: SIGIO to the pinner and a bounded wait", async () => {
  const { steps } = await traced(
    session(),
    ["policy dax.truncateWithPin notify-kill", ...PINNED],
    "ftruncate(f, 0)",
  );
  assert.deepEqual(fns(steps), [
    "__do_sys_ftruncate",
    "unmap_mapping_pages",
    BUSY,
    BUSY,
    "ext4_wait_dax_page",
    "__do_sys_ftruncate",
  ]);
  assert.equal(steps[3].decision, "the lease break: SIGIO to pid 2, a wait of up to 45 s");
  assert.equal(steps[3].policy, "dax.truncateWithPin=notify-kill");
});

Deno.test("trace dax punch hole: ext4_punch_hole breaks layouts, then ext4_ext_remove_space frees", async () => {
  const { steps } = await traced(session(), [
    'g = open("/mnt/pmem/s", O_RDWR|O_CREAT, 0644)',
    "ftruncate(g, 8K)",
    'pwrite(g, "x", 1, 4K)',
  ], "fallocate(g, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 0, 8K)");
  assert.deepEqual(fns(steps), [
    "__do_sys_fallocate",
    "unmap_mapping_pages",
    BUSY,
    "ext4_ext_remove_space",
    "__do_sys_fallocate",
  ]);
  assert.deepEqual(steps[1].path.slice(1, 4), [
    "ext4_fallocate",
    "ext4_punch_hole",
    "ext4_break_layouts",
  ]);
  assert.equal(steps[2].decision, "no block still referenced: nothing to wait for");
  assert.equal(steps[3].decision, "1 block freed (pgoff 1..1), back to the allocator");
});

Deno.test("trace dax truncate off: no step", async () => {
  const out = await untraced(session(), [
    "policy dax.truncateWithPin corrupt",
    ...PINNED,
    "ftruncate(f, 0)",
  ]);
  assert.ok(!out.some((l) => l.startsWith("trace: ")));
});
