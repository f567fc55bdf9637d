/**
 * The differential harness itself (repl/host/): the wire encoding, the
 * normalisation, the header directives, the diff; and, where mmhost can
 * be built, a host session end to end, difference detection, and
 * `--check-host`'s exit statuses.
 */
import assert from "node:assert/strict";
import { decodeBytes, encodeBytes, hexArg, parseS64 } from "../../repl/host/protocol.ts";
import {
  describeDifference,
  Labeller,
  lineDiff,
  parseHeader,
  restrict,
  runDifferential,
  unmet,
} from "../../repl/host/differ.ts";
import { fromWaitStatus } from "../../repl/host/host_backend.ts";
import { buildHost } from "../../repl/host/build.ts";
import { MMAP_BASE, padMmlab, reserveMmlab, WINDOW_HI, WINDOW_LO } from "../../repl/host/window.ts";
import { Machine, mapsLines } from "../../mod.ts";

Deno.test("wire bytes: runs of 8 or more fold, everything round-trips", () => {
  const b = Uint8Array.from([1, 2, ...new Array(20).fill(0), 0xff, 7, 7, 7]);
  const s = encodeBytes(b);
  assert.equal(s, "0102*0014;ff070707");
  assert.deepEqual(decodeBytes(s), b);
  assert.equal(encodeBytes(new Uint8Array(0)), "-");
  assert.deepEqual(decodeBytes("-"), new Uint8Array(0));
  assert.equal(hexArg(-1n), "ffffffffffffffff");
  assert.equal(parseS64("fffffffffffffff2"), -14n);
});

Deno.test("wait statuses read as strace reports them", () => {
  assert.deepEqual(fromWaitStatus(0x8b), { signal: 11, core: true });
  assert.deepEqual(fromWaitStatus(0x07), { signal: 7, core: false });
  assert.deepEqual(fromWaitStatus(0x0300), { code: 3 });
});

Deno.test("header directives: title, xfail, requires, map-count", () => {
  const info = parseHeader(
    "# what it checks\n# follows: LTP mmap01\n# xfail: known\n" +
      "# requires: thp=madvise, ksm=n\n# map-count: 65530\n\nmaps\n# later: ignored\n",
  );
  assert.deepEqual(info, {
    title: "what it checks",
    xfail: "known",
    requires: ["thp=madvise", "ksm=n"],
    mapCount: 65530,
  });
  assert.equal(unmet(["thp=madvise"], { thp: "madvise" }), null);
  assert.match(unmet(["thp=always"], { thp: "madvise" })!, /needs thp=always/);
  assert.match(unmet(["nope=1"], {})!, /unknown host fact/);
});

Deno.test("normalisation: devices and inodes become labels, the name column is re-padded", () => {
  const lab = new Labeller();
  const a = "7f0000000000-7f0000001000 r--s 00000000 fe:00 2146851                    /tmp/f";
  const b = "7f0000001000-7f0000002000 r--s 00001000 fe:00 2146851                    /tmp/f";
  const z =
    "7f0000002000-7f0000003000 rw-s 00000000 00:01 1257                       /dev/zero (deleted)";
  const anon = "7f0000003000-7f0000004000 rw-p 00000000 00:00 0 ";
  assert.equal(
    lab.line(a),
    "7f0000000000-7f0000001000 r--s 00000000 dev1 ino1                        /tmp/f",
  );
  assert.equal(lab.line(b).slice(0, 49), "7f0000001000-7f0000002000 r--s 00001000 dev1 ino1");
  assert.match(lab.line(z), / 00:01 ino2 +\/dev\/zero \(deleted\)$/);
  assert.equal(lab.line(anon), anon);
  assert.equal(lab.line("Rss:                   4 kB"), "Rss:                   4 kB");
});

Deno.test("normalisation: pagemap PFNs become labels by first appearance", () => {
  const lab = new Labeller();
  assert.equal(
    lab.line("7f0000000000 8100000000001234 present exclusive pfn=0x1234"),
    "7f0000000000 102<<55|pfn1 present exclusive pfn=pfn1",
  );
  assert.equal(
    lab.line("7f0000001000 8000000000000800 present pfn=0x800"),
    "7f0000001000 100<<55|pfn2 present pfn=pfn2",
  );
  assert.equal(
    lab.line("7f0000002000 8000000000001234 present pfn=0x1234"),
    "7f0000002000 100<<55|pfn1 present pfn=pfn1",
  );
  const guard = "7f0000004000 440000000000009f swapped guard";
  assert.equal(lab.line(guard), guard);
  const user = "7f0000003000 8100000000000000 present exclusive pfn=0x0";
  assert.equal(lab.line(user), user);
});

Deno.test("restrict keeps whole smaps blocks of the VMAs meeting the range", () => {
  const lines = [
    "7e0000000000-7e0000001000 rw-p 00000000 00:00 0 ",
    "Rss: 1",
    "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ",
    "Rss: 2",
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
  ];
  assert.deepEqual(restrict(lines, 0x7f0000000000, 0x7ff000000000), lines.slice(2, 4));
});

Deno.test("lineDiff marks only what changed", () => {
  assert.deepEqual(lineDiff(["a", "b", "c"], ["a", "x", "c"]), [" a", "-b", "+x", " c"]);
  assert.deepEqual(lineDiff([], ["n"]), ["+n"]);
});

Deno.test("the window prelude fills every gap up to mmap_base and pads the map count", () => {
  const m = new Machine();
  const p = m.init;
  const n = reserveMmlab(p);
  assert.ok(n > 20);
  // Nothing is free between the window's top and mmap_base.
  for (let v = p.mm.vmas.find(WINDOW_HI); v !== null && v.end <= MMAP_BASE; v = v.next) {
    if (v.next !== null && v.next.start < MMAP_BASE) assert.equal(v.end, v.next.start);
  }
  // The first page above the window never merges (shared), so NULL-hint mappings stay apart.
  assert.match(mapsLines(p).find((l) => l.startsWith("7ff000000000-"))!, /rw?-?-?s|---s/);
  assert.equal(padMmlab(p, n + 5), n + 5);
  assert.equal(padMmlab(p, 65531), 65531);
  assert.equal(padMmlab(p, 10), -22);
});

// Only "cannot run here" (no gcc, not x86-64 Linux, no --allow-run) skips; a compile error fails.
const build = await buildHost();
const skip = "skip" in build ? build.skip : undefined;
const onHost = { ignore: skip !== undefined };

Deno.test({
  name: `host: a session runs syscalls, faults, fork and exit in mmlab's transcript form${
    skip ? ` (skipped: ${skip})` : ""
  }`,
  ...onHost,
  async fn() {
    const text = [
      "a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
      'poke(a, "hi")',
      "c = fork()",
      "@c peek(a, 2)",
      "@c signal(SIGSEGV, SIG_DFL)",
      "@c peek(a + 8K)",
      "getpid()",
    ].join("\n");
    const r = await runDifferential(text, { source: "t" });
    assert.equal(r.status, "same", describeDifference(r, "t").join("\n"));
    assert.deepEqual(r.steps.map((s) => s.host), [
      ["= 0x7f0000000000"],
      ["= 2"],
      ["= 2"],
      ["7f0000000000  68 69                                             |hi|"],
      ["= 0"],
      [
        "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x7f0000002000} ---",
        "+++ killed by SIGSEGV (core dumped) +++",
      ],
      ["= 1"],
    ]);
  },
});

Deno.test({
  name: `host: a difference is found and shown with context${skip ? ` (skipped: ${skip})` : ""}`,
  ...onHost,
  async fn() {
    // Before 6.17 a same-size MREMAP_FIXED move across two VMAs was EFAULT.
    const text = [
      "a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
      "b = mmap(0x7f0000001000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
      "mremap(a, 8K, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)",
    ].join("\n");
    const r = await runDifferential(text, {
      source: "t.mm",
      config: { policies: { "mremap.multiVma": "efault" } },
    });
    assert.equal(r.status, "differ");
    const d = describeDifference(r, "t.mm");
    assert.equal(d[0], "t.mm:3: mmlab and the host kernel differ");
    assert.ok(d.includes("  - = 0x7f0000100000"));
    assert.ok(d.includes("  + = -1 EFAULT (Bad address)"));
  },
});

Deno.test({
  name: `host: --check-host exits 0 when both agree, 1 on a difference${
    skip ? ` (skipped: ${skip})` : ""
  }`,
  ...onHost,
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      const same = `${dir}/same.mm`, diff = `${dir}/diff.mm`;
      await Deno.writeTextFile(same, "mprotect(0x7f0000000000, 0, 0xff)\npeek(0)\n");
      await Deno.writeTextFile(
        diff,
        "a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n" +
          "b = mmap(0x7f0000001000, 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n" +
          "mremap(a, 8K, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)\n",
      );
      const main = new URL("../../repl/main.ts", import.meta.url).pathname;
      const run = (args: string[]) =>
        new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", main, ...args],
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1" },
        }).output();
      const a = await run(["--check-host", same]);
      assert.equal(a.code, 0, new TextDecoder().decode(a.stderr));
      assert.match(new TextDecoder().decode(a.stdout), /agree on 2 command lines/);
      const b = await run(["--check-host", diff, "--policy", "mremap.multiVma=efault"]);
      assert.equal(b.code, 1);
      assert.match(
        new TextDecoder().decode(b.stdout),
        /diff\.mm:3: mmlab and the host kernel differ/,
      );
      const c = await run(["--check-host", `${dir}/missing.mm`]);
      assert.equal(c.code, 2);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("restrict: an error before any VMA (an unknown @ target) is kept", () => {
  const err = "x.mm:3:2: error: unknown variable c2; @ takes a pid or a variable holding one";
  assert.deepEqual(restrict([err], WINDOW_LO, WINDOW_HI), [err]);
  assert.deepEqual(
    restrict(["7f0000000000-7f0000001000 rw-p 00000000 00:00 0 ", "Size: 4 kB"], 0, 1),
    [],
  );
});
