/** The HMM, notifier and p2pdma commands: output shape and one-line errors. */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

async function run(s: Session, line: string) {
  return await s.run(line);
}

Deno.test("REPL: notifiers shows the sequence counts an insert and an invalidation leave", async () => {
  const s = new Session();
  await run(s, "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  assert.deepEqual((await run(s, "notifiers")).output, [
    "no interval notifiers (mm->notifier_subscriptions is NULL)",
  ]);
  const ins = await run(s, "n = mmu_interval_notifier_insert(a, 16K)");
  assert.deepEqual(ins.output, ["= 1", "(subscription seq 1, mm invalidate_seq 2)"]);
  await run(s, "poke(a, 1)");
  await run(s, "madvise(a, 4K, MADV_DONTNEED)");
  const v = (await run(s, "notifiers")).output;
  assert.equal(v[0], "invalidate_seq 4, active_invalidate_ranges 0");
  assert.match(v[2], /^1 +repl +0x[0-9a-f]+ +0x[0-9a-f]+ +3 +1 +0$/);
  assert.match(
    v[3],
    /^ {2}1: CLEAR \[0x[0-9a-f]+, 0x[0-9a-f]+\) cur_seq 3, 0 device PTEs dropped$/,
  );
  assert.deepEqual((await run(s, "mmu_interval_notifier_remove(n)")).output, ["= 0"]);
  assert.match(
    (await run(s, "mmu_interval_notifier_remove(7)")).error!.message,
    /no subscription 7/,
  );
  assert.deepEqual((await run(s, "mmu_interval_notifier_insert(a, 0)")).output, [
    "= -75 EOVERFLOW (Value too large for defined data type)",
  ]);
});

Deno.test("REPL: hmm_range_fault prints each try and each page; EPERM on a read-only VMA", async () => {
  const s = new Session();
  await run(s, "a = mmap(NULL, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  const w = (await run(s, "hmm_range_fault(a, 1, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE)")).output;
  assert.equal(w.at(-1), "= -1 EPERM (Operation not permitted)");
  const r = (await run(s, "hmm_range_fault(a, 1)")).output;
  assert.match(r[0], /^mmu_interval_read_begin\(\) = 1$/);
  assert.match(r[1], /default_flags=HMM_PFN_REQ_FAULT, notifier_seq=1\}\) = 0$/);
  assert.match(r[3], /^0x[0-9a-f]+ +0x[0-9a-f]+ +HMM_PFN_VALID$/);
  assert.equal(r.at(-1), "= 0");
  assert.match((await run(s, "hmm_range_fault(a, 0)")).error!.message, /npages must be at least 1/);
});

Deno.test("REPL: the trial call exists only under the RFC policy; p2pdma refuses bad input in one line", async () => {
  const s = new Session();
  await run(s, "a = mmap(NULL, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  const e = (await run(s, "hmm_mirror_is_maybe_supported(a, 8K)")).error!;
  assert.match(e.message, /only in the 2019 RFC/);
  await run(s, "policy hmm.p2pMap rfc-2019");
  assert.deepEqual((await run(s, "hmm_mirror_is_maybe_supported(a, 8K)")).output.at(-1), "= 0");
  assert.match(
    (await run(s, "p2pdma distance 03:00.0 09:00.0")).error!.message,
    /no PCI function 09:00.0/,
  );
  assert.match((await run(s, "p2pdma frobnicate")).error!.message, /use distance or acs/);
  assert.match((await run(s, "p2pdma acs 02:09.0 maybe")).error!.message, /acs takes on or off/);
  assert.deepEqual((await run(s, "p2pdma distance 03:00.1 03:00.0")).output, [
    "PCI_P2PDMA_MAP_BUS_ADDR, distance 2, common upstream bridge 0000:02:08.0",
    "pci_p2pdma_distance() = 2",
  ]);
});

Deno.test("REPL: hmm_range_fault on a userfaultfd-registered hole is -EFAULT (no ALLOW_RETRY), nothing queued", async () => {
  const s = new Session();
  await run(s, "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)");
  await run(s, "ioctl(uffd, UFFDIO_API, {api=0xaa, features=0})");
  await run(s, "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  await run(
    s,
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  const r = await run(s, "hmm_range_fault(a, 2, HMM_PFN_REQ_FAULT)");
  assert.equal(r.error, undefined);
  assert.equal(r.output.at(-1), "= -14 EFAULT (Bad address)");
  // No UFFD_EVENT_PAGEFAULT was queued: a non-blocking read finds nothing.
  await run(s, "b = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  const rd = await run(s, "read(uffd, b, 32)");
  assert.match(rd.output.join("\n"), /EAGAIN/);
});
