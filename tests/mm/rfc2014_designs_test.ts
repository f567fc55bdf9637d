/**
 * The 2014 RFC thread's three options behind policy uffd.rfcDesign (seed
 * 004): (3) madvise(MADV_USERFAULT) + a userfaultfd that engages only where
 * both ranges intersect (the preset's); (1) mprotect(PROT_USERFAULT) in
 * place of madvise; (2) the userfaultfd alone (what shipped).
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { presetPolicies } from "../../lib/policy.ts";

const MAP = "a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, " +
  "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)";
const REGISTER =
  "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})";

async function run(s: Session, ...lines: string[]): Promise<string> {
  let out = "";
  for (const l of lines) {
    const r = await s.run(l);
    out = r.error ? `error: ${r.error.message}` : r.output.join("\n");
  }
  return out;
}

function session(preset = "rfc-2014-userfault"): Session {
  return new Session({ config: { seed: 1, ramBytes: 1 << 30, preset } });
}

/** A userfaultfd registered on [a, a + 8K) and a second thread `t`. */
async function registered(s: Session): Promise<void> {
  await run(s, MAP, "uffd = userfaultfd(O_NONBLOCK)");
  await run(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})", REGISTER);
  await run(s, "t = pthread_create()");
}

Deno.test("rfcDesign: history gives option 2 to every era, the RFC preset option 3", () => {
  assert.equal(presetPolicies("linux-6.18")!["uffd.rfcDesign"], "userfaultfd");
  assert.equal(presetPolicies("linux-4.14")!["uffd.rfcDesign"], "userfaultfd");
  assert.equal(presetPolicies("rfc-2014-userfault")!["uffd.rfcDesign"], "madvise+userfaultfd");
});

Deno.test("rfcDesign option 1: PROT_USERFAULT sets `uf` (splitting), a prot without it clears it (merging)", async () => {
  const s = session();
  await run(s, "policy uffd.rfcDesign mprotect+userfaultfd", MAP);
  assert.equal(await run(s, "mprotect(a, 8K, PROT_READ|PROT_WRITE|PROT_USERFAULT)"), "= 0");
  assert.equal(
    await run(s, "maps a 16K"),
    "7f0000000000-7f0000002000 rw-p 00000000 00:00 0 \n" +
      "7f0000002000-7f0000004000 rw-p 00000000 00:00 0 ",
  );
  assert.match(await run(s, "smaps a"), /VmFlags: rd wr mr mw me ac uf \n?$/);
  // No PTE change and no protection change: only the flag.
  assert.equal(
    await run(s, "peek(a + 5)"),
    "--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000000005} ---",
  );
  assert.equal(await run(s, "mprotect(a, 8K, PROT_READ|PROT_WRITE)"), "= 0");
  assert.equal(await run(s, "maps a 16K"), "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 ");
  assert.doesNotMatch(await run(s, "smaps a"), / uf /);
  assert.equal(await run(s, "peek(a + 5, 1)"), "7f0000000005  00" + " ".repeat(48) + "|.|");
});

Deno.test("rfcDesign option 1: PROT_USERFAULT is EINVAL on shared and file memory, after the VMAs before it", async () => {
  const s = session();
  await run(s, "policy uffd.rfcDesign mprotect+userfaultfd");
  await run(s, "sh = mmap(0, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)");
  assert.equal(
    await run(s, "mprotect(sh, 4K, PROT_READ|PROT_USERFAULT)"),
    "= -1 EINVAL (Invalid argument)",
  );
  await run(s, 'fd = open("/tmp/rfc1", O_RDWR|O_CREAT, 0644)', "ftruncate(fd, 4096)");
  await run(s, "f = mmap(0x7f0000004000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, fd, 0)");
  assert.equal(
    await run(s, "mprotect(f, 4K, PROT_READ|PROT_USERFAULT)"),
    "= -1 EINVAL (Invalid argument)",
  );
  // An anonymous VMA before the file one keeps its new flags (mprotect is not atomic).
  await run(s, MAP);
  assert.equal(
    await run(s, "mprotect(a, 20K, PROT_READ|PROT_USERFAULT)"),
    "= -1 EINVAL (Invalid argument)",
  );
  assert.match(await run(s, "smaps a"), /VmFlags: rd mr mw me uf \n?$/);
  // Without the bit a file VMA is fine.
  assert.equal(await run(s, "mprotect(f, 4K, PROT_READ)"), "= 0");
});

Deno.test("rfcDesign: PROT_USERFAULT exists only in option 1; 0x40 is EINVAL elsewhere", async () => {
  for (const design of ["userfaultfd", "madvise+userfaultfd"]) {
    const s = session();
    await run(s, `policy uffd.rfcDesign ${design}`, MAP);
    assert.match(
      await run(s, "mprotect(a, 4K, PROT_READ|PROT_USERFAULT)"),
      /PROT_USERFAULT is not in Linux's headers/,
    );
    assert.equal(await run(s, "mprotect(a, 4K, PROT_READ|0x40)"), "= -1 EINVAL (Invalid argument)");
  }
  // Today's kernel too.
  const s = session("linux-6.18");
  await run(s, MAP);
  assert.equal(await run(s, "mprotect(a, 4K, PROT_READ|0x40)"), "= -1 EINVAL (Invalid argument)");
});

Deno.test("rfcDesign option 1: the userfaultfd engages only where PROT_USERFAULT and the registration intersect", async () => {
  const s = session();
  await run(s, "policy uffd.rfcDesign mprotect+userfaultfd");
  await registered(s);
  // Registered, no PROT_USERFAULT: an ordinary fault.
  assert.equal(await run(s, "poke(a + 4K, 1)"), "= 1");
  // Both: the thread waits.
  await run(s, "mprotect(a, 4K, PROT_READ|PROT_WRITE|PROT_USERFAULT)");
  assert.match(await run(s, "@t peek(a + 1)"), /waits in handle_userfault at 0x7f0000000000/);
  // PROT_USERFAULT alone: SIGBUS.
  await run(s, "mprotect(a + 8K, 4K, PROT_READ|PROT_WRITE|PROT_USERFAULT)");
  assert.match(await run(s, "peek(a + 8K)"), /SIGBUS .*si_addr=0x7f0000002000/);
});

Deno.test("rfcDesign option 2: the registration alone engages the userfaultfd", async () => {
  const s = session();
  await run(s, "policy uffd.rfcDesign userfaultfd");
  await registered(s);
  assert.match(await run(s, "@t peek(a + 4K)"), /waits in handle_userfault at 0x7f0000001000/);
  // Outside any registration an anonymous page is an ordinary fault.
  assert.equal(await run(s, "poke(a + 8K, 1)"), "= 1");
});

Deno.test("rfcDesign option 3: the same program as option 2 takes an ordinary fault without MADV_USERFAULT", async () => {
  const s = session();
  await registered(s);
  assert.equal(await run(s, "@t poke(a + 4K, 1)"), "= 1");
  await run(s, "madvise(a, 4K, MADV_USERFAULT)");
  assert.match(await run(s, "@t peek(a)"), /waits in handle_userfault at 0x7f0000000000/);
});
