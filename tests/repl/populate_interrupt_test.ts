import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { InterruptToken } from "../../repl/interrupt.ts";
import { sizeText } from "../../repl/stepped_call.ts";

const ANON = "PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS";

/** What a session shows of its machine: every view a populate can change. */
async function state(s: Session): Promise<string[]> {
  const out: string[] = [];
  for (const v of ["maps", "smaps", "meminfo", "status", "vmstat", "check"]) {
    out.push(`## ${v}`, ...(await s.run(v)).output);
  }
  return out;
}

/** Runs `lines` in a session, stepped (a Ctrl-C token set, never pressed) or not. */
async function run(lines: string[], stepped: boolean): Promise<string[]> {
  const s = new Session({ config: { ramBytes: 256 << 20 } });
  if (stepped) s.interrupt = new InterruptToken();
  const out: string[] = [];
  let most = 0;
  for (const l of lines) {
    s.interrupt instanceof InterruptToken && s.interrupt.clear();
    out.push(`mm> ${l}`, ...(await s.run(l)).output);
    most = Math.max(most, s.interrupt?.stepsDone() ?? 0);
  }
  // Stepped, some populate really ran in steps (else the comparison shows nothing).
  if (stepped) assert.ok(most > 1, `${lines.join("; ")}: ${most} step(s) at most`);
  return [...out, ...(await state(s))];
}

const CASES: Record<string, string[]> = {
  "MAP_POPULATE": [`a = mmap(0, 21M, ${ANON}|MAP_POPULATE, -1, 0)`],
  "MAP_LOCKED over a PROT_NONE middle": [
    `a = mmap(0, 9M, ${ANON}, -1, 0)`,
    "mprotect(a + 3M, 1M, PROT_NONE)",
    `mmap(a, 9M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_LOCKED, -1, 0)`,
  ],
  "a file mapping past EOF": [
    'fd = open("/tmp/f", O_RDWR|O_CREAT, 0644)',
    "ftruncate(fd, 5M)",
    "mmap(0, 12M, PROT_READ, MAP_SHARED|MAP_POPULATE, fd, 0)",
  ],
  "mlock with a hole, then mlockall": [
    `a = mmap(0, 10M, ${ANON}, -1, 0)`,
    "mlock(a, 10M)",
    "munmap(a + 5M, 1M)",
    "mlock(a, 10M)",
    `b = mmap(0, 7M, ${ANON}, -1, 0)`,
    "mlockall(MCL_CURRENT)",
    "mlock2(b, 7M, MLOCK_ONFAULT)",
  ],
  "MADV_POPULATE_* with a hole and a read-only part": [
    `a = mmap(0, 12M, ${ANON}, -1, 0)`,
    "madvise(a, 12M, MADV_POPULATE_READ)",
    "madvise(a, 12M, MADV_POPULATE_WRITE)",
    "mprotect(a + 8M, 4M, PROT_READ)",
    "madvise(a, 12M, MADV_POPULATE_WRITE)",
    "munmap(a + 4M, 2M)",
    "madvise(a, 12M, MADV_POPULATE_READ)",
  ],
  "out of memory: the OOM killer picks the caller": [
    `a = mmap(0, 150M, ${ANON}|MAP_POPULATE, -1, 0)`,
    "fork()",
    `b = mmap(0, 150M, ${ANON}|MAP_POPULATE, -1, 0)`,
    "dmesg",
  ],
};

for (const [name, lines] of Object.entries(CASES)) {
  Deno.test(`a stepped populate does what one go does: ${name}`, async () => {
    assert.deepEqual(await run(lines, true), await run(lines, false));
  });
}

/** A session whose token asks to stop at the `at`-th progress report of the next line. */
function stopping(at: number): { s: Session; token: InterruptToken; seen: number[] } {
  const s = new Session({ config: { ramBytes: 256 << 20 } });
  const seen: number[] = [];
  const token: InterruptToken = new InterruptToken((what, done, total) => {
    if (what !== "populate") return;
    seen.push(done, total);
    if (seen.length / 2 === at) token.request();
  });
  s.interrupt = token;
  return { s, token, seen };
}

async function rssKb(s: Session): Promise<number> {
  const l = (await s.run("status")).output.find((x) => x.startsWith("VmRSS:"));
  return Number(/(\d+) kB/.exec(l!)![1]);
}

Deno.test("Ctrl-C stops MAP_POPULATE: mmap returns its address, the pages before stay", async () => {
  const { s, token, seen } = stopping(3);
  const before = await rssKb(s);
  const r = await s.run(`a = mmap(0, 64M, ${ANON}|MAP_POPULATE, -1, 0)`);
  assert.equal(
    r.output[0],
    "(populate interrupted after 6 MiB of 64 MiB; the pages before it stay)",
  );
  assert.match(r.output[1], /^= 0x7f[0-9a-f]+$/);
  assert.equal(r.interrupted, true);
  assert.deepEqual(seen, [2 << 20, 64 << 20, 4 << 20, 64 << 20, 6 << 20, 64 << 20]);
  assert.equal((await rssKb(s)) - before, 6 << 10);
  token.clear();
  assert.deepEqual((await s.run("check")).output, ["ok"]);
  // The session goes on: the rest faults in on use.
  assert.deepEqual((await s.run("memset(a, 1, 64M)")).output, ["= 67108864"]);
});

Deno.test("Ctrl-C stops MADV_POPULATE_WRITE and mlock with EINTR, mlockall with 0", async () => {
  const { s, token, seen } = stopping(2);
  await s.run(`a = mmap(0, 32M, ${ANON}, -1, 0)`);
  token.clear();
  let r = await s.run("madvise(a, 32M, MADV_POPULATE_WRITE)");
  assert.deepEqual(r.output, [
    "(populate interrupted after 4 MiB of 32 MiB; the pages before it stay)",
    "= -1 EINTR (Interrupted system call)",
  ]);
  seen.length = 0;
  token.clear();
  r = await s.run("mlock(a, 32M)");
  assert.deepEqual(r.output, [
    "(populate interrupted after 4 MiB of 32 MiB; the pages before it stay)",
    "= -1 EINTR (Interrupted system call)",
  ]);
  // As after any populate failure, the VMA stays VM_LOCKED.
  const smaps = (await s.run("smaps")).output;
  assert.ok(smaps.some((l) => /^VmFlags:.* lo/.test(l)), smaps.join("\n"));
  seen.length = 0;
  token.clear();
  r = await s.run("mlockall(MCL_CURRENT)");
  assert.equal(r.output.at(-1), "= 0");
  assert.match(
    r.output[0],
    /^\(populate interrupted after \d+ MiB of \d+ MiB; the pages before it stay\)$/,
  );
  token.clear();
  assert.deepEqual((await s.run("check")).output, ["ok"]);
});

Deno.test("a small populate takes one step: no progress, nothing to interrupt", async () => {
  const { s, seen } = stopping(1);
  const r = await s.run(`mmap(0, 2M, ${ANON}|MAP_POPULATE, -1, 0)`);
  assert.equal(r.output.length, 1);
  assert.deepEqual(seen, []);
});

Deno.test("sizeText", () => {
  assert.equal(sizeText(4 * 2 ** 30), "4 GiB");
  assert.equal(sizeText(312 << 20), "312 MiB");
  assert.equal(sizeText(1536 << 20), "1536 MiB");
  assert.equal(sizeText(8192), "8 KiB");
});
