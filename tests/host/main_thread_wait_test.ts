/**
 * A main thread that waits on a userfault: mmlab prints `<unfinished ...>`,
 * but mmhost's main thread reads the channel, so on the host it would hang
 * until the harness timed out. The runner stops the host at that line and
 * says so (the rest of the case is not compared), instead of an internal
 * error 30 s later.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { buildHost } from "../../repl/host/build.ts";
import { MAIN_THREAD_WAIT, mainThreadWaits, runDifferential } from "../../repl/host/differ.ts";

const CASE = `# a main thread waits on a userfault
a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})
peek(a, 4)
peek(a + 4K, 4)
`;

Deno.test("mainThreadWaits: a main thread's wait counts, another thread's does not", async () => {
  const s = new Session({ config: { seed: 1, ramBytes: 1 << 30, preset: "linux-6.18" } });
  const lines = CASE.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  for (const l of lines.slice(0, 4)) await s.run(l);
  const t = await s.run("t = pthread_create()");
  assert.equal(mainThreadWaits(s, t.output), false);
  const worker = await s.run("@t peek(a, 4)");
  assert.match(worker.output.join("\n"), /thread 2 waits in handle_userfault/);
  assert.equal(mainThreadWaits(s, worker.output), false);
  const main = await s.run("peek(a + 4K, 4)");
  assert.match(main.output.join("\n"), /thread 1 waits in handle_userfault/);
  assert.equal(mainThreadWaits(s, main.output), true);
});

const build = await buildHost();
const skip = "skip" in build ? build.skip : undefined;

Deno.test({
  name: `host: a main thread's userfault wait stops the host, not the run${
    skip ? ` (skipped: ${skip})` : ""
  }`,
  ignore: skip !== undefined,
  async fn() {
    const r = await runDifferential(CASE, { source: "main_thread_wait.mm" });
    if (r.status === "skip") return; // the host has no userfaultfd for this user
    assert.equal(r.status, "same");
    const waits = r.steps.find((st) => st.echo.endsWith("peek(a, 4)"))!;
    assert.equal(waits.compared, false);
    assert.match(waits.mmlab.join("\n"), /thread 1 waits in handle_userfault|thread 1 is blocked/);
    assert.ok(waits.host[0].includes(MAIN_THREAD_WAIT), waits.host[0]);
    const after = r.steps.at(-1)!;
    assert.equal(after.compared, false);
    assert.match(after.host[0], /after a main thread's userfault wait/);
  },
});
