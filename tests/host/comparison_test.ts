/**
 * What the differential comparison itself checks (repl/host/differ.ts):
 * a malformed line fails the case, every differing line is reported, brk
 * is not compared, a case states the RAM it assumes, and the zero-page
 * knob the host probe chooses decides the six zero-page cases of the
 * corpus. Skipped (with the reason) where mmhost cannot run here.
 */
import assert from "node:assert/strict";
import { buildHost } from "../../repl/host/build.ts";
import {
  describeDifference,
  hostSetup,
  runDifferential,
  wokenTids,
} from "../../repl/host/differ.ts";
import { decide, THP_DISABLE_REQ } from "../../repl/host/probe.ts";

const build = await buildHost();
const skip = "skip" in build ? build.skip : undefined;
const onHost = { ignore: skip !== undefined };
const named = (s: string) => `${s}${skip ? ` (skipped: ${skip})` : ""}`;

const MAP = "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED";

/** The host probe's result (only called where the build succeeded). */
function setup() {
  if ("skip" in build) throw new Error(build.skip);
  return hostSetup(build.bin, build.dir);
}

Deno.test({
  name: named("comparison: a line that does not parse fails the case, though both sides agree"),
  ...onHost,
  async fn() {
    const text = [
      `a = mmap(0x7f0000000000, 4K, PROT_READ, ${MAP}, -1, 0)`,
      "munmap(a, 4K",
      "maps",
    ].join("\n");
    const r = await runDifferential(text, { source: "t.mm" });
    assert.equal(r.status, "invalid");
    const s = r.steps[r.first!];
    assert.equal(s.lineNo, 2);
    assert.deepEqual(s.mmlab, s.host, "both sides print the same error");
    const d = describeDifference(r, "t.mm");
    assert.equal(d[0], "t.mm:2: the line does not run, so nothing is compared there:");
    assert.match(d[2], /t\.mm:2:\d+: error: /);
    // An unknown name and a misused command are malformed too.
    for (const bad of ["munmap(nosuchvar, 4K)", "peek(0x7f0000000000, 1, 2, 3)", "frobnicate"]) {
      const x = await runDifferential(bad, { source: "t.mm" });
      assert.equal(x.status, "invalid", bad);
    }
  },
});

Deno.test({
  name: named("comparison: a dead target process is a result, not a malformed line"),
  ...onHost,
  async fn() {
    const text = ["c = fork()", "@c exit(0)", "@c getpid()"].join("\n");
    const r = await runDifferential(text, { source: "t.mm" });
    assert.equal(r.status, "same", describeDifference(r, "t.mm").join("\n"));
    assert.match(r.steps[2].mmlab.join("\n"), /error/);
  },
});

Deno.test({
  name: named("comparison: every differing line is shown, not only the first"),
  ...onHost,
  async fn() {
    // Before 6.17 a same-size MREMAP_FIXED move across two VMAs was EFAULT.
    const lines = [
      `a = mmap(0x7f0000000000, 4K, PROT_READ, ${MAP}, -1, 0)`,
      `b = mmap(0x7f0000001000, 4K, PROT_READ|PROT_WRITE, ${MAP}, -1, 0)`,
      "mremap(a, 8K, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)",
      "getpid()",
      "maps", // the host moved both pages, mmlab moved nothing
    ];
    const r = await runDifferential(lines.join("\n"), {
      source: "t.mm",
      config: { policies: { "mremap.multiVma": "efault" } },
    });
    assert.equal(r.status, "differ");
    assert.deepEqual(r.differing!.map((i) => r.steps[i].lineNo), [3, 5]);
    const d = describeDifference(r, "t.mm");
    assert.equal(d[0], "t.mm:3: mmlab and the host kernel differ");
    assert.ok(d.includes("t.mm:5: also differs"), d.join("\n"));
    // Past the cap, the rest are counted with their line numbers.
    const capped = describeDifference(r, "t.mm", 4, 0);
    assert.equal(capped.at(-1), "t.mm: 1 more lines differ: 5");
  },
});

Deno.test({
  name: named("comparison: brk compares: the host subject's heap is where mmlab's program's is"),
  ...onHost,
  async fn() {
    const text = [
      "b = brk(0)",
      "brk(b + 8K)",
      "poke(b + 4K, 7)",
      "peek(b + 4K)",
      "brk(b - 0x21000)", // down to start_brk: the heap goes
      "brk(b - 0x22000)", // below start_brk: refused, the break stays
      "brk(b + 16K)",
      "maps 0x555555560000 0x30000", // the heap (the program images differ)
    ].join("\n");
    const r = await runDifferential(text, { source: "t.mm" });
    assert.equal(r.status, "same", describeDifference(r, "t.mm").join("\n"));
    assert.ok(r.steps.every((s) => s.compared));
    assert.deepEqual(r.steps[0].host, ["= 0x555555581000"]);
    assert.deepEqual(r.steps[1].host, ["= 0x555555583000"]);
    assert.deepEqual(r.steps[4].host, ["= 0x555555560000"]);
    assert.deepEqual(r.steps[5].host, ["= 0x555555560000"]);
    assert.ok(r.steps[7].host.some((l) => l.startsWith("555555560000-555555585000 rw-p")));
  },
});

Deno.test({
  name: named("comparison: a case states the RAM it assumes (# ram:)"),
  ...onHost,
  async fn() {
    const body = [
      `a = mmap(0x7e8000000000, 2G, PROT_READ|PROT_WRITE, ${MAP}, -1, 0)`,
      "munmap(a, 2G)",
    ].join("\n");
    // On mmlab's default 1 GiB a 2 GiB private mapping fails the overcommit heuristic.
    const plain = await runDifferential(body, { source: "t.mm" });
    const { probe } = await setup();
    const r = await runDifferential(`# big\n# ram: 4G\n${body}\n`, { source: "t.mm" });
    if (probe.memTotalKb < 4 << 20) {
      assert.equal(r.status, "skip");
      assert.match(r.reason!, /assumes 4096 MiB of RAM/);
      return;
    }
    assert.equal(plain.status, "differ");
    assert.match(plain.steps[plain.first!].mmlab[0], /ENOMEM/);
    assert.equal(r.status, "same", describeDifference(r, "t.mm").join("\n"));
  },
});

const ZERO_PAGE_CASES = [
  "fault_zero_page",
  "fork_wipeonfork",
  "madvise_dontneed_private_anon",
  "madvise_populate_read_anon",
  "mmap_populate_readonly_zero_page",
  "mremap_dontunmap_private",
];

Deno.test({
  name: named("comparison: mm.zeroPage decides the six zero-page corpus cases on this host"),
  ...onHost,
  async fn() {
    const { adaptation } = await setup();
    const hostValue = adaptation.config.policies?.["mm.zeroPage"] ?? "map";
    const other = hostValue === "map" ? "forbid" : "map";
    for (const name of ZERO_PAGE_CASES) {
      const text = await Deno.readTextFile(new URL(`../conformance/${name}.mm`, import.meta.url));
      const source = `tests/conformance/${name}.mm`;
      const matched = await runDifferential(text, { source });
      assert.equal(matched.status, "same", describeDifference(matched, source).join("\n"));
      const wrong = await runDifferential(text, {
        source,
        config: { policies: { "mm.zeroPage": other } },
      });
      assert.equal(wrong.status, "differ", `${name} with mm.zeroPage=${other}`);
    }
  },
});

Deno.test({
  name: named("comparison: an adaptation reaches both sides (knobs on mmlab, setup on the host)"),
  ...onHost,
  async fn() {
    const { probe } = await setup();
    const source = "tests/conformance/fault_zero_page.mm";
    const text = await Deno.readTextFile(
      new URL("../conformance/fault_zero_page.mm", import.meta.url),
    );
    // Played on this host, a forbid host's adaptation makes mmlab allocate on reads.
    const forbid = decide({ ...probe, readFaultRssKb: 4 });
    const r = await runDifferential(text, { source, adaptation: forbid });
    assert.equal(r.status, "differ");
    assert.match(r.steps[r.first!].mmlab.join("\n"), /Rss:\s+8 kB/);
    // A THP-always host's setup request runs in the subject; on a madvise host it
    // changes nothing, so the THP cases still agree, and a skip rule skips.
    const always = decide({ ...probe, thp: "always", thpExceptAdvised: true, swap: true });
    for (const name of ["madvise_hugepage_flags", "smaps_thp_eligible", "madvise_collapse_small"]) {
      const t = await Deno.readTextFile(new URL(`../conformance/${name}.mm`, import.meta.url));
      const x = await runDifferential(t, { source: name, adaptation: always });
      assert.equal(x.status, "same", describeDifference(x, name).join("\n"));
    }
    // And the request does reach the host: with THP off altogether, THPeligible differs.
    const off = { ...always, setup: [THP_DISABLE_REQ], facts: {}, skips: [] };
    const eligible = await Deno.readTextFile(
      new URL("../conformance/smaps_thp_eligible.mm", import.meta.url),
    );
    const y = await runDifferential(eligible, { source: "smaps_thp_eligible", adaptation: off });
    assert.equal(y.status, "differ");
    assert.ok(y.steps[y.first!].host.some((l) => /^THPeligible:\s+0/.test(l)));
    const pageout =
      "a = mmap(0x7f0000000000, 4K, 3, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)\n" +
      "madvise(a, 4K, MADV_PAGEOUT)\n";
    const skipped = await runDifferential(pageout, { source: "t.mm", adaptation: always });
    assert.equal(skipped.status, "skip");
    assert.match(skipped.reason!, /swap is active/);
  },
});

Deno.test("comparison: the host waits for the calls mmlab woke at a line (wokenTids)", () => {
  assert.deepEqual(
    wokenTids([
      "= 0",
      "[pid 2] <... peek resumed> = 0",
      "[pid 3] <... poke resumed> = 2",
      "<... read resumed> = 32",
      "[pid 4] +++ exited with 0 +++",
    ]),
    [2, 3],
  );
  assert.deepEqual(wokenTids(["= 0"]), []);
});
