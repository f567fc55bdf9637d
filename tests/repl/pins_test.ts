/** The REPL's GUP commands, vmstat view and sysctl command (repl/commands/pins.ts, sysctl.ts). */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

const MAP =
  "a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)";

async function out(s: Session, line: string): Promise<string[]> {
  const r = await s.run(line);
  assert.equal(r.error, undefined, `${line}: ${r.error?.message}`);
  return r.output;
}

Deno.test("repl pins: pin_user_pages shows in pages and vmstat; unpin gives it back", async () => {
  const s = new Session();
  await out(s, MAP);
  await out(s, "poke(a, 1)");
  assert.deepEqual(await out(s, "pin_user_pages(a, 2, FOLL_WRITE|FOLL_LONGTERM)"), ["= 2"]);
  const rows = await out(s, "pages a 8K");
  assert.match(rows[1], /^7f0000000000 .* 1025 +1 +1 +anon +yes$/);
  assert.ok((await out(s, "vmstat")).includes("nr_foll_pin_acquired 2"));
  assert.deepEqual(await out(s, "pin_user_pages(a, 1, FOLL_GET)"), [
    "= -1 EINVAL (Invalid argument)",
  ]);
  assert.deepEqual(await out(s, "get_user_pages(a + 12K, 1, FOLL_LONGTERM)"), [
    "= -1 EINVAL (Invalid argument)",
  ]);
  assert.deepEqual(await out(s, "get_user_pages(a + 12K, 1, 0)"), ["= 1"]);
  assert.deepEqual(await out(s, "pin_user_pages(0, 1, 0)"), ["= -1 EFAULT (Bad address)"]);
  assert.deepEqual(await out(s, "unpin_user_pages(a, 4)"), ["= 3"]);
  assert.ok((await out(s, "vmstat")).includes("nr_foll_pin_released 2"));
  assert.deepEqual(await out(s, "check"), ["ok"]);
});

Deno.test("repl sysctl: shows and sets the vm sysctls; kernel.tainted is read-only", async () => {
  const s = new Session();
  assert.deepEqual(await out(s, "sysctl vm.overcommit_memory=2"), ["vm.overcommit_memory = 2"]);
  assert.equal(s.machine.sysctl.overcommitMemory, 2);
  assert.deepEqual(await out(s, "sysctl kernel.tainted"), ["kernel.tainted = 0"]);
  assert.match((await s.run("sysctl vm.overcommit_memory=3")).error!.message, /Invalid argument/);
  assert.match((await s.run("sysctl vm.nope")).error!.message, /cannot stat/);
  assert.match((await s.run("sysctl kernel.tainted=1")).error!.message, /read-only/);
});

Deno.test("repl pins: a missing page in a userfaultfd range is EFAULT (no ALLOW_RETRY), no wait", async () => {
  const s = new Session();
  await out(s, "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)");
  await out(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})");
  await out(s, MAP);
  await out(
    s,
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  assert.deepEqual(await out(s, "pin_user_pages(a, 1, FOLL_WRITE)"), [
    "= -1 EFAULT (Bad address)",
  ]);
  assert.deepEqual(await out(s, "get_user_pages(a + 4K, 1, 0)"), ["= -1 EFAULT (Bad address)"]);
  // No message was queued and nothing sleeps: the pages are still missing.
  assert.deepEqual((await s.run("read(uffd, NULL, 32)")).output, [
    "= -1 EAGAIN (Resource temporarily unavailable)",
  ]);
  // A page already there pins as usual.
  await out(s, "ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a, len=4K}, mode=0})");
  assert.deepEqual(await out(s, "pin_user_pages(a, 1, 0)"), ["= 1"]);
});
