/**
 * mm/userfaultfd.c mfill_atomic_install_pte(): a page UFFDIO_COPY installs
 * is mapped dirty whatever the VMA's protection (pte_mkdirty()), writable
 * only in a writable VMA; UFFDIO_ZEROPAGE maps the shared zero page, or,
 * where mm_forbids_zeropage() (policy mm.zeroPage=forbid), a zeroed page
 * installed the same way (mfill_atomic_pte_zeroed_folio()).
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

/** The value of `field` (kB) in the smaps block of the VMA at `addr`. */
function smapsField(lines: string[], field: string): number {
  const l = lines.find((x) => x.startsWith(field + ":"))!;
  return Number(/(\d+) kB/.exec(l)![1]);
}

async function session(zeroPage: "map" | "forbid"): Promise<Session> {
  const s = new Session({
    config: {
      seed: 1,
      ramBytes: 1 << 30,
      preset: "linux-6.18",
      policies: { "mm.zeroPage": zeroPage },
    },
  });
  await run(
    s,
    "b = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)",
    'poke(b, "staged")',
    "a = mmap(0x7f0000000000, 16K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
    "uffd = userfaultfd(O_NONBLOCK)",
    "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})",
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  return s;
}

Deno.test("uffd install pte: COPY into a read-only VMA is dirty, not writable", async () => {
  const s = await session("map");
  await run(s, "ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})");
  const sm = await run(s, "smaps a");
  assert.equal(smapsField(sm, "Private_Dirty"), 4);
  assert.equal(smapsField(sm, "Private_Clean"), 0);
  assert.match((await run(s, "poke(a, 1)")).join("\n"), /SEGV_ACCERR/);
});

Deno.test("uffd install pte: ZEROPAGE maps the zero page, or a dirty zeroed page under mm.zeroPage=forbid", async () => {
  const map = await session("map");
  await run(map, "ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a, len=4K}, mode=0})");
  const m = await run(map, "smaps a");
  assert.equal(smapsField(m, "Rss"), 0);
  const forbid = await session("forbid");
  assert.deepEqual(
    await run(forbid, "ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a, len=4K}, mode=0})"),
    ["= 0 {range={start=0x7f0000000000, len=0x1000}, mode=0, zeropage=0x1000}"],
  );
  const f = await run(forbid, "smaps a");
  assert.equal(smapsField(f, "Rss"), 4);
  assert.equal(smapsField(f, "Private_Dirty"), 4);
  assert.equal(smapsField(f, "Anonymous"), 4);
  assert.match((await run(forbid, "peek(a, 2)")).join("\n"), /00 00/);
});
