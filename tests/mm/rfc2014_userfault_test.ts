/**
 * The 2014 RFC behind policy (preset rfc-2014-userfault, seed 004):
 * MADV_USERFAULT/NOUSERFAULT, SIGBUS on the first touch, EFAULT for a
 * kernel access, remap_anon_pages(2) and its errno rows; and that today's
 * preset keeps no trace of it.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

const MAP = "a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, " +
  "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)";
const STAGE = "b = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, " +
  "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)";

/** Runs each line; returns the last one's output (or error message). */
async function run(s: Session, ...lines: string[]): Promise<string> {
  let out = "";
  for (const l of lines) {
    const r = await s.run(l);
    out = r.error ? `error: ${r.error.message}` : r.output.join("\n");
  }
  return out;
}

function rfc(): Session {
  return new Session({ config: { seed: 1, ramBytes: 1 << 30, preset: "rfc-2014-userfault" } });
}

Deno.test("rfc2014: MADV_USERFAULT sets `uf` (splitting the VMA), MADV_NOUSERFAULT clears it (merging)", async () => {
  const s = rfc();
  assert.equal(await run(s, MAP, "madvise(a, 8K, MADV_USERFAULT)"), "= 0");
  assert.equal(
    await run(s, "maps a 16K"),
    "7f0000000000-7f0000002000 rw-p 00000000 00:00 0 \n" +
      "7f0000002000-7f0000004000 rw-p 00000000 00:00 0 ",
  );
  assert.match(await run(s, "smaps a"), /VmFlags: rd wr mr mw me ac uf \n?$/);
  assert.equal(await run(s, "madvise(a, 8K, MADV_NOUSERFAULT)"), "= 0");
  assert.equal(await run(s, "maps a 16K"), "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 ");
  assert.doesNotMatch(await run(s, "smaps a"), / uf /);
});

Deno.test("rfc2014: MADV_USERFAULT is EINVAL on shared anonymous and file memory", async () => {
  const s = rfc();
  await run(s, "s = mmap(0, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)");
  assert.equal(await run(s, "madvise(s, 4K, MADV_USERFAULT)"), "= -1 EINVAL (Invalid argument)");
  await run(s, 'fd = open("/tmp/rfc", O_RDWR|O_CREAT, 0644)', "ftruncate(fd, 4096)");
  await run(s, "f = mmap(0, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 0)");
  assert.equal(await run(s, "madvise(f, 4K, MADV_USERFAULT)"), "= -1 EINVAL (Invalid argument)");
  assert.equal(await run(s, "madvise(f, 4K, MADV_NOUSERFAULT)"), "= -1 EINVAL (Invalid argument)");
});

Deno.test("rfc2014: the first read or write of a missing page is SIGBUS BUS_ADRERR at the exact address", async () => {
  const s = rfc();
  await run(s, MAP, "madvise(a, 8K, MADV_USERFAULT)");
  assert.equal(
    await run(s, "peek(a + 5)"),
    "--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000000005} ---",
  );
  assert.equal(
    await run(s, "poke(a + 4K + 3, 1)"),
    "--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000001003} ---",
  );
  // Outside the advised range the fault allocates as usual.
  assert.equal(await run(s, "poke(a + 8K, 1)"), "= 1");
});

Deno.test("rfc2014: a kernel access (pread into the range) gets EFAULT and no signal", async () => {
  const s = rfc();
  await run(s, MAP, "madvise(a, 8K, MADV_USERFAULT)");
  await run(s, 'fd = open("/tmp/rfc", O_RDWR|O_CREAT, 0644)', 'pwrite(fd, "hello", 5, 0)');
  const out = await run(s, "pread(fd, a + 6, 5, 0)");
  assert.equal(out, "= -1 EFAULT (Bad address)");
  assert.doesNotMatch(out, /SIGBUS/);
});

Deno.test("rfc2014: remap_anon_pages moves the page, the access retries and succeeds", async () => {
  const s = rfc();
  await run(s, MAP, STAGE, "madvise(a, 16K, MADV_USERFAULT)", 'poke(b, "staged")');
  await run(s, "peek(a + 1)");
  assert.equal(await run(s, "remap_anon_pages(a, b, 4K, 0)"), "= 4096");
  assert.match(await run(s, "peek(a + 1)"), /= 116 \(0x74\)/);
  // The source is a hole now: its next touch allocates a fresh zero page.
  assert.match(await run(s, "peek(b)"), /^= 0$/);
});

Deno.test("rfc2014: remap_anon_pages errno rows", async () => {
  const s = rfc();
  await run(s, MAP, STAGE, "madvise(a, 16K, MADV_USERFAULT)", "memset(b, 0x41, 8K)");
  const EINVAL = "= -1 EINVAL (Invalid argument)";
  // 1. flags, alignment, length
  assert.equal(await run(s, "remap_anon_pages(a, b, 4K, 2)"), EINVAL);
  assert.equal(await run(s, "remap_anon_pages(a + 1, b, 4K, 0)"), EINVAL);
  assert.equal(await run(s, "remap_anon_pages(a, b + 1, 4K, 0)"), EINVAL);
  assert.equal(await run(s, "remap_anon_pages(a, b, 100, 0)"), EINVAL);
  assert.equal(await run(s, "remap_anon_pages(a, b, 0, 0)"), EINVAL);
  // 2. VMAs: beyond the VMA, unmapped, shared, different protection
  assert.equal(await run(s, "remap_anon_pages(a, b, 32K, 0)"), EINVAL);
  assert.equal(await run(s, "remap_anon_pages(a, 0x7f0000200000, 4K, 0)"), EINVAL);
  await run(
    s,
    "sh = mmap(0, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)",
  );
  assert.equal(await run(s, "remap_anon_pages(a, sh, 4K, 0)"), EINVAL);
  await run(s, "ro = mmap(0, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)");
  assert.equal(await run(s, "remap_anon_pages(a, ro, 4K, 0)"), EINVAL);
  // 3. pages: a hole in src is ENOENT unless RAP_ALLOW_SRC_HOLES (1)
  assert.equal(
    await run(s, "remap_anon_pages(a, b + 8K, 4K, 0)"),
    "= -1 ENOENT (No such file or directory)",
  );
  assert.equal(await run(s, "remap_anon_pages(a, b + 8K, 4K, RAP_ALLOW_SRC_HOLES)"), "= 4096");
  assert.equal(await run(s, "maps a 4K"), "7f0000000000-7f0000004000 rw-p 00000000 00:00 0 ");
  assert.equal(await run(s, "remap_anon_pages(a, b, 4K, 0)"), "= 4096");
  // dst already mapped: EEXIST; partial progress is the bytes done
  assert.equal(await run(s, "remap_anon_pages(a, b + 4K, 4K, 0)"), "= -1 EEXIST (File exists)");
  assert.equal(await run(s, "remap_anon_pages(a + 4K, b + 4K, 8K, 0)"), "= 4096");
  // a page shared with a child after fork: EBUSY
  await run(s, "memset(b, 0x42, 4K)", "fork()");
  assert.equal(
    await run(s, "remap_anon_pages(a + 12K, b, 4K, 0)"),
    "= -1 EBUSY (Device or resource busy)",
  );
});

Deno.test("rfc2014: remap_anon_pages is ENOSYS and UFFDIO_MOVE unknown outside their policies", async () => {
  const today = new Session({ config: { seed: 1, ramBytes: 1 << 30, preset: "linux-6.18" } });
  await run(today, MAP, STAGE, "memset(b, 0x41, 4K)");
  assert.equal(
    await run(today, "remap_anon_pages(a, b, 4K, 0)"),
    "= -1 ENOSYS (Function not implemented)",
  );
  const s = rfc();
  await run(s, MAP, "uffd = userfaultfd(0)");
  // Before 6.8 there is no UFFD_FEATURE_MOVE to ask for, nor _UFFDIO_MOVE in a range.
  assert.equal(
    await run(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_MOVE})"),
    "= -1 EINVAL (Invalid argument)",
  );
  const api = await run(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})");
  assert.match(api, /^= 0 /);
  assert.doesNotMatch(api, /UFFD_FEATURE_MOVE/);
  assert.doesNotMatch(
    await run(
      s,
      "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=4K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
    ),
    /_UFFDIO_MOVE/,
  );
  assert.equal(
    await run(
      s,
      "ioctl(uffd, UFFDIO_MOVE, {dst=0x7f0000000000, src=0x7f0000100000, len=4K, mode=0})",
    ),
    "= -1 EINVAL (Invalid argument)",
  );
});

Deno.test("rfc2014: today advice 18 is MADV_WIPEONFORK; the policy flips it live", async () => {
  const s = new Session({ config: { seed: 1, ramBytes: 1 << 30, preset: "linux-6.18" } });
  await run(s, MAP, "madvise(a, 4K, 18)");
  assert.match(await run(s, "smaps a"), / wf \n?$/);
  assert.equal(await run(s, "peek(a)"), await run(s, "peek(a)"));
  assert.match(await run(s, "peek(a + 4K)"), /^= 0$/);
  await run(s, "policy uffd.madv18 userfault-rfc");
  assert.equal(await run(s, "madvise(a + 8K, 4K, 18)"), "= 0");
  assert.match(
    await run(s, "peek(a + 8K)"),
    /SIGBUS \{si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7f0000002000\}/,
  );
});

Deno.test("rfc2014: a userfaultfd engages only where its range and a MADV_USERFAULT range intersect (option 3)", async () => {
  const s = rfc();
  await run(s, MAP, "uffd = userfaultfd(O_NONBLOCK)");
  await run(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})");
  await run(
    s,
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  // Registered but not MADV_USERFAULT: an ordinary fault.
  assert.equal(await run(s, "poke(a + 4K, 1)"), "= 1");
  // Both: the userfaultfd protocol, the thread waits.
  await run(s, "madvise(a, 4K, MADV_USERFAULT)", "t = pthread_create()");
  assert.match(await run(s, "@t peek(a + 1)"), /waits in handle_userfault at 0x7f0000000000/);
  // MADV_USERFAULT alone: SIGBUS.
  await run(s, "madvise(a + 8K, 4K, MADV_USERFAULT)");
  assert.match(await run(s, "peek(a + 8K)"), /SIGBUS/);
});
