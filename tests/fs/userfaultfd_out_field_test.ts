/**
 * The out field of a resolving ioctl that fails: the kernel writes it
 * (copy=-EEXIST and the like, readable in the struct), but strace prints
 * it only on success (strace src/userfaultfd.c: `if (!syserror(tcp) &&
 * !umove(...))` before copy=, zeropage=, move=, mapped=, updated=), so
 * mmlab's line ends at the errno, as strace's does.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

async function run(s: Session, ...lines: string[]): Promise<string> {
  let out = "";
  for (const l of lines) {
    const r = await s.run(l);
    out = r.error ? `error: ${r.error.message}` : r.output.join("\n");
  }
  return out;
}

const EEXIST = "= -1 EEXIST (File exists)";

/** a: 16K registered MISSING, its first page served; b: a populated staging buffer. */
async function served(): Promise<Session> {
  const s = new Session({ config: { seed: 1, ramBytes: 1 << 30, preset: "linux-6.18" } });
  await run(
    s,
    "a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
    "b = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, " +
      "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)",
    "uffd = userfaultfd(O_NONBLOCK)",
    "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})",
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  assert.match(
    await run(s, "ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})"),
    /copy=0x1000\}$/,
  );
  return s;
}

Deno.test("uffd out fields: a failed COPY, ZEROPAGE, MOVE or POISON prints no out field, as strace", async () => {
  const s = await served();
  for (
    const call of [
      "ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})",
      "ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=8K, mode=0})",
      "ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a, len=4K}, mode=0})",
      "ioctl(uffd, UFFDIO_MOVE, {dst=a, src=b, len=4K, mode=0})",
      "ioctl(uffd, UFFDIO_POISON, {range={start=a, len=4K}, mode=0})",
    ]
  ) assert.equal(await run(s, call), EEXIST, call);
  // A partial one (EAGAIN after the pages before it) prints none either.
  assert.equal(
    await run(s, "ioctl(uffd, UFFDIO_COPY, {dst=a + 12K, src=b, len=4K, mode=0})"),
    "= 0 {dst=0x7f0000003000, src=0x7f0000100000, len=0x1000, mode=0, copy=0x1000}",
  );
  assert.equal(
    await run(s, "ioctl(uffd, UFFDIO_COPY, {dst=a + 8K, src=b, len=8K, mode=0})"),
    "= -1 EAGAIN (Resource temporarily unavailable)",
  );
});

Deno.test("uffd out fields: the kernel still writes the negative errno into the struct", async () => {
  const s = await served();
  // struct uffdio_copy {dst=a, src=b, len=4096, mode=0} at b + 8K: copy at offset 32.
  await run(
    s,
    "poke(b + 8K, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0, 0x10, 0, 0, 0x7f, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0)",
  );
  assert.equal(await run(s, "ioctl(uffd, UFFDIO_COPY, b + 8K)"), EEXIST);
  assert.match(await run(s, "peek(b + 8K + 32, 8)"), /ef ff ff ff ff ff ff ff/);
  // struct uffdio_zeropage {range={start=a, len=4096}, mode=0}: zeropage at 24.
  await run(s, "poke(b + 12K, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0)");
  assert.equal(await run(s, "ioctl(uffd, UFFDIO_ZEROPAGE, b + 12K)"), EEXIST);
  assert.match(await run(s, "peek(b + 12K + 24, 8)"), /ef ff ff ff ff ff ff ff/);
});
