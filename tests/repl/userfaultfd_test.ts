/**
 * userfaultfd in the REPL, with the syntax: the struct literals and
 * their write-back fields, a CPU access that waits in handle_userfault
 * (`<unfinished ...> (thread 2 waits in handle_userfault at 0x...)`) and
 * its `[pid 2] <... peek resumed>` end, read(uffd) messages, a pread that
 * waits, and close(uffd) waking every waiter.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

async function run(s: Session, line: string): Promise<string[]> {
  return (await s.run(line)).output;
}

/** A session with `uffd` (API done), `a` (16K, registered) and `b` (a populated page). */
async function setup(features = "0"): Promise<Session> {
  const s = new Session();
  assert.deepEqual(await run(s, "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)"), ["= 3"]);
  const api = await run(s, `ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=${features}})`);
  assert.match(
    api[0],
    /^= 0 \{api=0xaa, features=UFFD_FEATURE_PAGEFAULT_FLAG_WP\|UFFD_FEATURE_EVENT_FORK\|UFFD_FEATURE_EVENT_REMAP\|UFFD_FEATURE_EVENT_REMOVE\|UFFD_FEATURE_MISSING_HUGETLBFS\|UFFD_FEATURE_MISSING_SHMEM\|/,
  );
  await run(s, "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  await run(
    s,
    "b = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)",
  );
  const reg = await run(
    s,
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  assert.deepEqual(reg, [
    "= 0 {range={start=0x7ffff7fbc000, len=0x4000}, mode=UFFDIO_REGISTER_MODE_MISSING, " +
    "ioctls=1<<_UFFDIO_WAKE|1<<_UFFDIO_COPY|1<<_UFFDIO_ZEROPAGE|1<<_UFFDIO_MOVE|1<<_UFFDIO_POISON}",
  ]);
  return s;
}

Deno.test("repl uffd: API first, then the issue's lines print as strace shows them", async () => {
  const s = new Session();
  await run(s, "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)");
  assert.deepEqual(
    await run(
      s,
      "ioctl(uffd, UFFDIO_REGISTER, {range={start=0x7f0000000000, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
    ),
    ["= -1 EINVAL (Invalid argument)"],
  );
  assert.deepEqual(await run(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})"), [
    "= 0 {api=0xaa, features=UFFD_FEATURE_PAGEFAULT_FLAG_WP|UFFD_FEATURE_EVENT_FORK|UFFD_FEATURE_EVENT_REMAP|" +
    "UFFD_FEATURE_EVENT_REMOVE|UFFD_FEATURE_MISSING_HUGETLBFS|UFFD_FEATURE_MISSING_SHMEM|UFFD_FEATURE_EVENT_UNMAP|" +
    "UFFD_FEATURE_SIGBUS|UFFD_FEATURE_THREAD_ID|UFFD_FEATURE_MINOR_HUGETLBFS|UFFD_FEATURE_MINOR_SHMEM|" +
    "UFFD_FEATURE_EXACT_ADDRESS|UFFD_FEATURE_WP_HUGETLBFS_SHMEM|UFFD_FEATURE_WP_UNPOPULATED|UFFD_FEATURE_POISON|" +
    "UFFD_FEATURE_WP_ASYNC|UFFD_FEATURE_MOVE, " +
    "ioctls=1<<_UFFDIO_REGISTER|1<<_UFFDIO_UNREGISTER|1<<_UFFDIO_API}",
  ]);
  assert.deepEqual(await run(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})"), [
    "= -1 EINVAL (Invalid argument)",
  ]);
  assert.deepEqual(await run(s, 'read(uffd, "", 16)'), ["= -1 EINVAL (Invalid argument)"]);
  assert.deepEqual(await run(s, 'read(uffd, "", 32)'), [
    "= -1 EAGAIN (Resource temporarily unavailable)",
  ]);
});

Deno.test("repl uffd: a peek waits in handle_userfault; UFFDIO_COPY resumes it with the byte", async () => {
  const s = await setup();
  await run(s, 'poke(b, "hi")');
  await run(s, "t = pthread_create()");
  assert.deepEqual(await run(s, "@t x = peek(a+1)"), [
    "<unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff7fbc000)",
  ]);
  const th = await run(s, "threads");
  assert.match(th.find((l) => / 2 /.test(l.slice(0, 12)))!, /Sl\s+handle_userfault/);
  // The message, decoded: UFFD_EVENT_PAGEFAULT, flags 0 (a read), the page address.
  assert.deepEqual(await run(s, "read(uffd, b+2K, 32)"), [
    "= 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=0, address=0x7ffff7fbc000, feat={ptid=0}}}",
  ]);
  // The bytes are the kernel's struct uffd_msg: event 0x12 first.
  assert.deepEqual(await run(s, "peek(b+2K)"), ["= 18 (0x12)"]);
  assert.deepEqual(await run(s, "read(uffd, b+2K, 32)"), [
    "= -1 EAGAIN (Resource temporarily unavailable)",
  ]);
  assert.deepEqual(await run(s, "ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})"), [
    "= 0 {dst=0x7ffff7fbc000, src=0x7ffff7fbb000, len=0x1000, mode=0, copy=0x1000}",
    "[pid 2] <... peek resumed> = 105 (0x69)",
  ]);
  assert.deepEqual(await run(s, "x"), ["= 105 (0x69)"]);
  // The page is there now: the next copy is EEXIST.
  assert.deepEqual(await run(s, "ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})"), [
    "= -1 EEXIST (File exists)",
  ]);
});

Deno.test("repl uffd: THREAD_ID puts the tid in the message; WAKE without a fill waits again", async () => {
  const s = await setup("UFFD_FEATURE_THREAD_ID|UFFD_FEATURE_EXACT_ADDRESS");
  await run(s, "t = pthread_create()");
  assert.deepEqual(await run(s, "@t poke(a+4K+3, 1)"), [
    "<unfinished ...> (thread 2 waits in handle_userfault at 0x7ffff7fbd003)",
  ]);
  assert.deepEqual(await run(s, "read(uffd, b, 32)"), [
    "= 32 {event=UFFD_EVENT_PAGEFAULT, pagefault={flags=UFFD_PAGEFAULT_FLAG_WRITE, " +
    "address=0x7ffff7fbd003, feat={ptid=2}}}",
  ]);
  assert.deepEqual(await run(s, "peek(b+8)"), ["= 1"]); // UFFD_PAGEFAULT_FLAG_WRITE
  assert.deepEqual(await run(s, "peek(b+16)"), ["= 3"]); // the exact address
  assert.deepEqual(await run(s, "peek(b+24)"), ["= 2"]); // ptid
  assert.deepEqual(await run(s, "ioctl(uffd, UFFDIO_WAKE, {start=a+4K, len=4K})"), ["= 0"]);
  assert.match((await run(s, "threads")).join("\n"), /2 Sl\s+handle_userfault/);
  assert.deepEqual(
    await run(s, "ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a+4K, len=4K}, mode=0})"),
    [
      "= 0 {range={start=0x7ffff7fbd000, len=0x1000}, mode=0, zeropage=0x1000}",
      "[pid 2] <... poke resumed> = 1",
    ],
  );
});

Deno.test("repl uffd: a pread into the range waits; close(uffd) wakes it and it completes", async () => {
  const s = await setup();
  await run(s, "h = pthread_create()");
  await run(s, 'fd = open("/tmp/f", O_RDWR|O_CREAT, 0644)');
  await run(s, 'pwrite(fd, "data", 4, 0)');
  assert.deepEqual(await run(s, "pread(fd, a+8K, 4, 0)"), [
    "<unfinished ...> (thread 1 sleeps in handle_userfault)",
  ]);
  const busy = await run(s, "getpid()");
  assert.match(busy[0], /thread 1 is asleep in handle_userfault/);
  assert.match(busy[0], /close\(uffd\)/);
  assert.deepEqual(await run(s, "@h close(uffd)"), [
    "= 0",
    '[pid 1] <... pread resumed> = 4 "data"',
  ]);
  assert.doesNotMatch((await run(s, "smaps a")).join("\n"), / um /);
});

Deno.test("repl uffd: UFFD_FEATURE_SIGBUS makes the first touch SIGBUS BUS_ADRERR", async () => {
  const s = await setup("UFFD_FEATURE_SIGBUS");
  const out = await run(s, "peek(a+0x123)");
  assert.match(out[0], /SIGBUS \{si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbc123\}/);
});

Deno.test("repl uffd: a read of a blocking uffd sleeps until a fault queues a message", async () => {
  const s = new Session();
  await run(s, "uffd = userfaultfd(0)");
  await run(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})");
  await run(s, "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  await run(
    s,
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  await run(s, "h = pthread_create()");
  assert.deepEqual(await run(s, 'read(uffd, "", 16)'), ["= -1 EINVAL (Invalid argument)"]);
  assert.deepEqual(await run(s, '@h read(uffd, "", 32)'), [
    "<unfinished ...> (thread 2 sleeps in userfaultfd_ctx_read)",
  ]);
  assert.deepEqual(await run(s, "poke(a+4K+7, 1)"), [
    "<unfinished ...> (thread 1 waits in handle_userfault at 0x7ffff7fbd000)",
    "[pid 2] <... read resumed> = 32 {event=UFFD_EVENT_PAGEFAULT, " +
    "pagefault={flags=UFFD_PAGEFAULT_FLAG_WRITE, address=0x7ffff7fbd000, feat={ptid=0}}}",
  ]);
  assert.deepEqual(
    await run(s, "@h ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a+4K, len=4K}, mode=0})"),
    [
      "= 0 {range={start=0x7ffff7fbd000, len=0x1000}, mode=0, zeropage=0x1000}",
      "[pid 1] <... poke resumed> = 1",
    ],
  );
  assert.deepEqual(await run(s, "check"), ["ok"]);
  assert.deepEqual(await run(s, "peek(a+4K+7)"), ["= 1"]);
});

Deno.test("repl uffd: a read of a shmem page the cache lacks waits; UFFDIO_COPY fills the cache", async () => {
  const s = new Session();
  await run(s, "uffd = userfaultfd(O_NONBLOCK)");
  await run(s, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})");
  await run(s, 'm = memfd_create("shm", 0)');
  await run(s, "ftruncate(m, 8K)");
  await run(s, "a = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_SHARED, m, 0)");
  await run(s, "b = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  await run(s, 'poke(b, "S")');
  await run(
    s,
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  await run(s, "t = pthread_create()");
  const wait = await run(s, "@t peek(a+4K)");
  assert.match(
    wait[0],
    /^<unfinished \.\.\.> \(thread 2 waits in handle_userfault at 0x[0-9a-f]+000\)$/,
  );
  assert.deepEqual(
    (await run(s, "ioctl(uffd, UFFDIO_COPY, {dst=a+4K, src=b, len=4K, mode=0})"))[1],
    "[pid 2] <... peek resumed> = 83 (0x53)",
  );
  assert.deepEqual(await run(s, 'pread(m, "", 1, 4K)'), ['= 1 "S"']);
  assert.deepEqual(await run(s, "check"), ["ok"]);
});
