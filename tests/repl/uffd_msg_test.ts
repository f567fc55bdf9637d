/**
 * read() of a userfaultfd prints its `struct uffd_msg`s decoded
 * (lib/abi/uffd_msg.ts), in strace's struct form; the same bytes read from
 * any other fd stay a buffer.
 */
import assert from "node:assert/strict";
import { formatUffdMsgs } from "../../mod.ts";
import { Session } from "../../repl/session.ts";

async function run(s: Session, line: string): Promise<string[]> {
  return (await s.run(line)).output;
}

/** A 32-byte message: event, then the u64s of arg at 8, 16, 24. */
function msg(event: number, a = 0n, b = 0n, c = 0n): Uint8Array {
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  out[0] = event;
  dv.setBigUint64(8, a, true);
  dv.setBigUint64(16, b, true);
  dv.setBigUint64(24, c, true);
  return out;
}

Deno.test("uffd_msg: each event's union member; several as an array; anything else null", () => {
  assert.equal(
    formatUffdMsgs(msg(0x12, 3n, 0x7f0000001000n, 7n)),
    "{event=UFFD_EVENT_PAGEFAULT, pagefault={flags=UFFD_PAGEFAULT_FLAG_WRITE|UFFD_PAGEFAULT_FLAG_WP, " +
      "address=0x7f0000001000, feat={ptid=7}}}",
  );
  assert.equal(formatUffdMsgs(msg(0x13, 5n)), "{event=UFFD_EVENT_FORK, fork={ufd=5}}");
  assert.equal(
    formatUffdMsgs(msg(0x14, 0x1000n, 0x2000n, 4096n)),
    "{event=UFFD_EVENT_REMAP, remap={from=0x1000, to=0x2000, len=4096}}",
  );
  const two = new Uint8Array(64);
  two.set(msg(0x15, 0x1000n, 0x3000n));
  two.set(msg(0x16, 0x5000n, 0x6000n), 32);
  assert.equal(
    formatUffdMsgs(two),
    "[{event=UFFD_EVENT_REMOVE, remove={start=0x1000, end=0x3000}}, " +
      "{event=UFFD_EVENT_UNMAP, remove={start=0x5000, end=0x6000}}]",
  );
  assert.equal(formatUffdMsgs(msg(0x11)), null); // no such event
  assert.equal(formatUffdMsgs(msg(0x12, 0n, 0x1000n, 1n << 40n)), null); // union tail not 0
  const reserved = msg(0x15);
  reserved[1] = 1;
  assert.equal(formatUffdMsgs(reserved), null);
  assert.equal(formatUffdMsgs(new Uint8Array(31)), null);
});

Deno.test("repl: read(uffd) decodes an UNMAP event; the same bytes from a file stay a buffer", async () => {
  const s = new Session();
  await run(s, "uffd = userfaultfd(O_NONBLOCK)");
  await run(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_EVENT_UNMAP})");
  await run(
    s,
    "a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
  );
  await run(
    s,
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  await run(
    s,
    "b = mmap(0x7f0000100000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
  );
  await run(s, "t = pthread_create()");
  await run(s, "@t munmap(a+4K, 4K)");
  assert.deepEqual(await run(s, "read(uffd, b, 32)"), [
    "= 32 {event=UFFD_EVENT_UNMAP, remove={start=0x7f0000001000, end=0x7f0000002000}}",
    "[pid 2] <... munmap resumed> = 0",
  ]);
  // The message's bytes, read back from a file: a buffer as strace prints one.
  await run(s, 'fd = open("/tmp/m", O_RDWR|O_CREAT, 0644)');
  await run(s, "pwrite(fd, b, 32, 0)");
  const raw = await run(s, "read(fd, b+2K, 32)");
  assert.match(raw[0], /^= 32 "\\26\\0/);
  // Once closed, the number is no userfaultfd any more.
  await run(s, "close(uffd)");
  await run(s, 'fd2 = open("/tmp/m", O_RDONLY)');
  assert.deepEqual(await run(s, "fd2"), ["= 3"]);
  assert.match((await run(s, "read(fd2, b+2K, 32)"))[0], /^= 32 "\\26\\0/);
});
