/**
 * Tracing observes and never changes: the same session with `trace on`
 * prints the same lines once the `trace:` lines are left out, across the
 * newly traced paths (DAX faults and truncate, GUP, HMM, reclaim).
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

const SCRIPT = [
  "policy gup.longtermFsdax allow",
  "policy gup.longtermWriteFileShared allow",
  "policy dax.truncateWithPin redirect",
  'fd = open("/mnt/pmem/f", O_RDWR|O_CREAT, 0644)',
  "ftruncate(fd, 16K)",
  "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)",
  "b = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 0)",
  "peek(a)",
  "peek(b + 4K)",
  "poke(b + 4K, 2)",
  "poke(a, 1)",
  'pwrite(fd, "zz", 2, 8K)',
  "pages a 16K",
  "pin_user_pages(a, 2, FOLL_WRITE|FOLL_LONGTERM)",
  "c = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
  "poke(c, 1)",
  "fork()",
  "hmm_range_fault(c, 2, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE)",
  "madvise(c, 8K, MADV_PAGEOUT)",
  "ftruncate(fd, 0)",
  "pages a 16K",
  "smaps a",
];

async function outputs(trace: boolean): Promise<string[]> {
  const s = new Session();
  if (trace) await s.run("trace on");
  const out: string[] = [];
  for (const l of SCRIPT) out.push(...(await s.run(l)).output);
  return out;
}

Deno.test("trace on changes nothing but the trace lines", async () => {
  const plain = await outputs(false);
  const traced = await outputs(true);
  assert.ok(traced.filter((l) => l.startsWith("trace: ")).length > 100);
  assert.deepEqual(traced.filter((l) => !l.startsWith("trace: ")), plain);
  assert.ok(!plain.some((l) => l.startsWith("trace: ")));
});
