/**
 * lib/proc/coredump.ts: a SIGSEGV death whose core dump is written
 * (RLIMIT_CORE at least a page, as with a file core_pattern) faults in the
 * dumped VMAs' file pages; below that limit (mmlab's default soft limit is
 * 0) the dump is not written and nothing is read.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

async function run(s: Session, ...lines: string[]): Promise<string[]> {
  let out: string[] = [];
  for (const l of lines) {
    const r = await s.run(l);
    assert.equal(r.error, undefined, `${l}: ${r.error?.message}`);
    out = r.output;
  }
  return out;
}

/** mincore of a shared anonymous mapping after a child sharing it dies of SIGSEGV. */
async function afterCrash(core: string | null): Promise<string[]> {
  const s = new Session({ config: { seed: 1, ramBytes: 1 << 30, preset: "linux-6.18" } });
  await run(
    s,
    "s = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
  );
  if (core !== null) {
    await run(s, `setrlimit(RLIMIT_CORE, {rlim_cur=${core}, rlim_max=RLIM64_INFINITY})`);
  }
  await run(s, "c = fork()", "@c signal(SIGSEGV, SIG_DFL)", "@c poke(0x7f0000100000, 1)");
  return await run(s, "mincore(s, 16K)");
}

Deno.test("coredump: a written dump faults shared anonymous memory in; none below a page of RLIMIT_CORE", async () => {
  assert.deepEqual(await afterCrash(null), ["= 0 [0, 0, 0, 0]"]);
  assert.deepEqual(await afterCrash("4095"), ["= 0 [0, 0, 0, 0]"]);
  assert.deepEqual(await afterCrash("4096"), ["= 0 [1, 1, 1, 1]"]);
  assert.deepEqual(await afterCrash("RLIM64_INFINITY"), ["= 0 [1, 1, 1, 1]"]);
});
