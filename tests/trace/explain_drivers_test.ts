/**
 * explain in the REPL on driver mappings: the driver's own decision with
 * its kernel function and the policy knob in force (rdma_umap_fault under
 * rdma.onDisassociate, the GPU aperture after revocation, a DAX hole, a
 * vfio BAR whose device stopped decoding behind vfio's back), the thread
 * that would wait on a userfaultfd and the ones already waiting; and the
 * trace line of rdma_umap_fault under `trace on`.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

async function run(lines: string[], policies: string[] = []): Promise<string[]> {
  const s = new Session();
  const out: string[] = [];
  for (const p of policies) out.push(...(await s.run(`policy ${p.replace("=", " ")}`)).output);
  for (const l of lines) {
    // `uar = UAR`: the address libmlx5 mapped the UAR page at (the open's mmap line).
    const uar = out.map((o) =>
      /^mmap\(NULL, 4096, PROT_WRITE, MAP_SHARED, \d+, 0\) = (0x[0-9a-f]+)$/.exec(o)
    )
      .find((x) => x !== null)?.[1];
    out.push(...(await s.run(l.replace("UAR", uar ?? "UAR"))).output);
  }
  return out;
}

const has = (out: string[], line: string) => assert.ok(out.includes(line), out.join("\n"));
const starts = (out: string[], head: string) =>
  assert.ok(out.some((l) => l.startsWith(head)), `${head}\n---\n${out.join("\n")}`);

const OPEN = 'ctx = ibv_open_device("mlx5_1")';
const UAR = "uar = UAR";

Deno.test("explain: a live UAR page reaches the VF's BAR; after device loss rdma_umap_fault decides, per rdma.onDisassociate", async () => {
  const live = await run([OPEN, UAR, "poke(uar, 1)", "explain uar w"]);
  starts(live, "  mmio:     ");
  assert.ok(
    live.some((l) => /^ {2}mmio: .* 0000:03:00\.1 BAR0\+0x1000 \(present, Mem\+\)$/.test(l)),
  );
  has(live, "  outcome:  hit");

  const lost = ["inject-fault hot-unplug 03:00.1", "explain uar w", "trace on", "poke(uar, 2)"];
  const zero = await run([OPEN, UAR, ...lost]);
  has(zero, "  policy:   rdma.onDisassociate=zero-page rdma.dummyPageScope=per-file");
  has(zero, "  driver:   rdma_umap_fault → map a new page");
  has(zero, "  outcome:  driver-fault");
  starts(
    zero,
    "trace: do_user_addr_fault → handle_mm_fault → handle_pte_fault → do_fault → __do_fault → " +
      "rdma_umap_fault: the device is gone: a new zeroed dummy page",
  );

  const sigbus = await run([OPEN, UAR, ...lost], ["rdma.onDisassociate=sigbus"]);
  has(sigbus, "  policy:   rdma.onDisassociate=sigbus");
  has(sigbus, "  driver:   rdma_umap_fault → sigbus");
  starts(sigbus, "  outcome:  sigbus (SIGBUS BUS_ADRERR si_addr=0x");
  starts(sigbus, "--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x");

  // 4.2-4.20: the zap made the VMA private anonymous: a write is a new page.
  const anon = await run([OPEN, UAR, ...lost], ["rdma.onDisassociate=anon-private"]);
  has(anon, "  outcome:  new-page");
});

Deno.test("explain: the GPU aperture answers until revoked, then the VMA without ->fault is SIGBUS", async () => {
  const out = await run([
    'g = open("/dev/nvidia0", O_RDWR)',
    "a = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_SHARED, g, 0)",
    "explain a r",
    "inject-fault hot-unplug 04:00.0",
    "explain a r",
  ]);
  assert.ok(out.some((l) => /^ {2}mmio: .* 0000:04:00\.0 BAR2\+0x0 \(present, Mem\+\)$/.test(l)));
  starts(
    out,
    "  path:     do_fault: /dev/nvidia0 was revoked (nvidia remove: unmap_mapping_range)",
  );
  starts(out, "  outcome:  sigbus (SIGBUS BUS_ADRERR si_addr=0x");
});

Deno.test("explain: a vfio BAR whose device stopped decoding behind vfio's back is unclaimed MMIO", async () => {
  const out = await run([
    "device-bind 05:00.0 vfio-pci",
    'c = open("/dev/vfio/vfio", O_RDWR)',
    'g = open("/dev/vfio/10", O_RDWR)',
    "ioctl(c, VFIO_GET_API_VERSION)",
    "ioctl(g, VFIO_GROUP_SET_CONTAINER, [c])",
    "ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)",
    'd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0000:05:00.0")',
    "bar = mmap(0x7f0000000000, 64K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d, 0)",
    "explain bar + 0x1000",
    "peek(bar + 0x1000, 4)",
    "inject-fault mmio-disable 05:00.0",
    "explain bar + 0x1000",
  ]);
  has(out, "  driver:   vfio_pci_mmap_huge_fault → map pfn 0x7006401");
  has(out, "  policy:   vfio.faultImpl=huge-fault");
  has(out, "  mmio:     0x7006401000 0000:05:00.0 BAR0+0x1000 (present, Mem-) unclaimed");
  has(out, "  policy:   hw.mmioUnclaimed=all-ones");
});

Deno.test("explain: a DAX hole reads the zero page; a write to it asks pfn_mkwrite for a block", async () => {
  const out = await run([
    'f = open("/mnt/pmem/x", O_RDWR|O_CREAT, 0644)',
    "ftruncate(f, 8K)",
    "d = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_SHARED, f, 0)",
    "explain d r",
    "peek(d)",
    "explain d w",
    "explain d + 8K w",
  ]);
  starts(
    out,
    "  path:     do_fault → do_read_fault → __do_fault → dax_iomap_pte_fault: a read of a hole: the zero page (dax_load_hole)",
  );
  starts(
    out,
    "  path:     do_wp_page → wp_pfn_shared → pfn_mkwrite → dax_iomap_pte_fault: a hole: ext4_iomap_begin allocates a zeroed block",
  );
  has(out, "  driver:   dax_iomap_pte_fault → map a new page");
});

Deno.test("explain: which thread would wait on the userfaultfd, and which already do", async () => {
  const out = await run([
    "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)",
    "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})",
    "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
    "t = pthread_create()",
    "@t x = peek(a+5)",
    "explain a + 4K w",
  ]);
  assert.ok(
    out.some((l) => /^ {2}uffd: +ctx \d+ MISSING features 0x0 \(thread 2 waiting\)$/.test(l)),
    out.join("\n"),
  );
  starts(
    out,
    "  path:     do_anonymous_page (VM_UFFD_MISSING) → handle_userfault: a uffd_msg is queued on ctx",
  );
  assert.ok(
    out.some((l) => /thread 1 \(prog\) waits \(wchan handle_userfault\)/.test(l)),
    out.join("\n"),
  );
  has(out, "  outcome:  userfault");
});
