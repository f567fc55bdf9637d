/**
 * The host probe's decisions (repl/host/probe.ts decide()), fed made-up
 * probes: each answer a host can give maps to a knob, a setup request for
 * the host subject, or skipped cases with a reason.
 */
import assert from "node:assert/strict";
import {
  ASSUMED,
  bracketed,
  decide,
  describeAdaptation,
  type HostProbe,
  MERGE_OFF_REQ,
  skipReason,
  THP_DISABLE_REQ,
  THP_EXCEPT_ADVISED_REQ,
} from "../../repl/host/probe.ts";
import { type CaseInfo, machineConfig } from "../../repl/host/differ.ts";
import { Machine } from "../../mod.ts";

/** A host exactly as mmlab's machine assumes (the one these tests were written on). */
function host(over: Partial<HostProbe> = {}): HostProbe {
  return {
    kernel: "6.18.44-fc-v1045",
    readFaultRssKb: 0,
    thp: "madvise",
    thpSizes: { "16": "never", "64": "never", "2048": "inherit" },
    thpExceptAdvised: true,
    shmemThp: "never",
    mergeAny: false,
    ksmRun: "0",
    swap: false,
    ...ASSUMED,
    memTotalKb: 8 << 20,
    damonReclaim: null,
    ...over,
  };
}

const INFO: CaseInfo = { title: "", requires: [] };

Deno.test("probe: a host like mmlab's machine needs no adaptation", () => {
  const a = decide(host());
  assert.deepEqual(a.adapted, []);
  assert.deepEqual(a.skips, []);
  assert.deepEqual(a.setup, []);
  assert.deepEqual(a.config, { policies: {}, sysctl: {} });
  assert.equal(
    describeAdaptation(a),
    "host adaptations: none (the host behaves as mmlab's machine)",
  );
});

Deno.test("probe: a read fault counted in Rss means no zero page: mm.zeroPage=forbid", () => {
  const a = decide(host({ readFaultRssKb: 4 }));
  assert.deepEqual(a.config.policies, { "mm.zeroPage": "forbid" });
  assert.match(describeAdaptation(a), /no zero page on read faults \(mm\.zeroPage=forbid\)/);
  const m = new Machine(machineConfig(undefined, a, INFO));
  assert.equal(m.policy("mm.zeroPage"), "forbid");
  // A --policy given by the user wins over the adaptation.
  const mine = new Machine(machineConfig({ policies: { "mm.zeroPage": "map" } }, a, INFO));
  assert.equal(mine.policy("mm.zeroPage"), "map");
  assert.equal(decide(host({ readFaultRssKb: 0 })).config.policies!["mm.zeroPage"], undefined);
});

Deno.test("probe: THP always is narrowed to advised regions where the kernel allows it", () => {
  const a = decide(host({ thp: "always" }));
  assert.deepEqual(a.setup, [THP_EXCEPT_ADVISED_REQ]);
  assert.equal(a.facts.thp, "madvise");
  assert.match(a.adapted[0], /PR_THP_DISABLE_EXCEPT_ADVISED/);
  assert.equal(THP_EXCEPT_ADVISED_REQ, "sys 9d 29 1 2 0 0 0");
  // An older kernel: THP off for the subject, and thp=madvise cases skip.
  const old = decide(host({ thp: "always", thpExceptAdvised: false }));
  assert.deepEqual(old.setup, [THP_DISABLE_REQ]);
  assert.equal(old.facts.thp, "never");
  // never and madvise need nothing (requires: thp=madvise decides for never).
  assert.deepEqual(decide(host({ thp: "never" })).setup, []);
  assert.deepEqual(decide(host({ thp: "madvise" })).adapted, []);
});

Deno.test("probe: mTHP sizes below 2 MiB skip MADV_HUGEPAGE cases; 'always' also narrows", () => {
  const inherit = decide(
    host({ thp: "madvise", thpSizes: { "64": "inherit", "2048": "inherit" } }),
  );
  assert.deepEqual(inherit.setup, []);
  assert.match(skipReason(inherit, "madvise(a, 4M, MADV_HUGEPAGE)")!, /mTHP sizes 64kB=inherit/);
  assert.equal(skipReason(inherit, "# MADV_HUGEPAGE in a comment\nmaps"), null);
  const always = decide(host({ thpSizes: { "16": "always", "2048": "inherit" } }));
  assert.deepEqual(always.setup, [THP_EXCEPT_ADVISED_REQ]);
  assert.match(skipReason(always, "madvise(a, 4M, MADV_HUGEPAGE)")!, /16kB=always/);
  // Sizes that are never, or inherit from never, change nothing.
  const off = decide(host({ thp: "never", thpSizes: { "64": "inherit", "32": "never" } }));
  assert.deepEqual(off.skips, []);
});

Deno.test("probe: shmem THP skips the shared anonymous cases it can affect", () => {
  const always = decide(host({ shmemThp: "always" }));
  assert.match(
    skipReason(always, "mmap(NULL, 4K, PROT_READ, MAP_SHARED|MAP_ANONYMOUS, -1, 0)")!,
    /shmem THP/,
  );
  assert.equal(
    skipReason(always, "mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"),
    null,
  );
  const advise = decide(host({ shmemThp: "advise" }));
  assert.equal(skipReason(advise, "mmap(NULL, 4K, 3, MAP_SHARED|MAP_ANONYMOUS, -1, 0)"), null);
  assert.ok(
    skipReason(
      advise,
      "mmap(NULL, 4M, 3, MAP_SHARED|MAP_ANONYMOUS, -1, 0)\nmadvise(a, 4M, MADV_HUGEPAGE)",
    ),
  );
  assert.deepEqual(decide(host({ shmemThp: "deny" })).skips, []);
});

Deno.test("probe: KSM merge-any is switched off in the subject; a running ksmd skips MADV_MERGEABLE", () => {
  const any = decide(host({ mergeAny: true }));
  assert.deepEqual(any.setup, [MERGE_OFF_REQ]);
  assert.match(any.adapted[0], /PR_SET_MEMORY_MERGE, 0/);
  const run = decide(host({ ksmRun: "1" }));
  assert.match(skipReason(run, "madvise(a, 8K, MADV_MERGEABLE)")!, /ksmd is running/);
  assert.equal(skipReason(run, "madvise(a, 8K, MADV_DONTNEED)"), null);
  assert.deepEqual(decide(host({ ksmRun: "" })).skips, []); // no CONFIG_KSM
});

Deno.test("probe: swap skips MADV_PAGEOUT cases", () => {
  const a = decide(host({ swap: true }));
  assert.match(skipReason(a, "madvise(a, 4K, MADV_PAGEOUT)")!, /swap is active/);
  assert.equal(skipReason(a, "madvise(a, 4K, MADV_COLD)"), null);
});

Deno.test("probe: O_DIRECT cases need /tmp on ext4 with 512-byte blocks", () => {
  const open = 'fd = open("/tmp/f", O_RDWR|O_CREAT|O_DIRECT, 0644)';
  assert.equal(skipReason(decide(host({ tmpDio: "ext4/512" })), open), null);
  assert.match(skipReason(decide(host({ tmpDio: "tmpfs/0" })), open)!, /\/tmp is tmpfs\/0/);
  assert.match(skipReason(decide(host({ tmpDio: "ext4/4096" })), open)!, /512-byte/);
  assert.match(skipReason(decide(host({ tmpDio: "" })), open)!, /unknown filesystem/);
  assert.equal(skipReason(decide(host({ tmpDio: "tmpfs/0" })), 'open("/tmp/f", O_RDWR)'), null);
});

Deno.test("probe: vm sysctls are matched on mmlab's machine", () => {
  const a = decide(host({
    maxMapCount: 1048576,
    mmapMinAddr: 65536,
    overcommitMemory: 1,
    overcommitRatio: 80,
  }));
  assert.deepEqual(a.config.sysctl, {
    maxMapCount: 1048576,
    mmapMinAddr: 65536,
    overcommitMemory: 1,
    overcommitRatio: 80,
  });
  assert.equal(a.adapted.length, 4);
  const m = new Machine(machineConfig(undefined, a, INFO));
  assert.equal(m.sysctl.maxMapCount, 1048576);
  assert.equal(m.sysctl.mmapMinAddr, 65536);
  assert.deepEqual(a.skips, []);
  // Strict overcommit: the limit is a share of RAM, so big mappings are not compared.
  const strict = decide(host({ overcommitMemory: 2 }));
  assert.equal(strict.config.sysctl!.overcommitMemory, 2);
  assert.match(
    skipReason(strict, "mmap(NULL, 2G, 3, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)")!,
    /overcommit_memory=2/,
  );
  assert.equal(skipReason(strict, "mmap(NULL, 64K, 3, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"), null);
});

Deno.test("probe: proactive reclaim of long-idle memory needs nothing; of fresh memory skips views", () => {
  const slow = decide(host({ damonReclaim: { enabled: true, minAgeUs: 120_000_000 } }));
  assert.deepEqual(slow.skips, []);
  assert.match(slow.notes[0], /idle for 120 s/);
  const fast = decide(host({ damonReclaim: { enabled: true, minAgeUs: 100_000 } }));
  assert.match(skipReason(fast, "smaps")!, /DAMON_RECLAIM/);
  assert.deepEqual(decide(host({ damonReclaim: { enabled: false, minAgeUs: 0 } })).notes, []);
});

Deno.test("probe: several differences are all named in the summary", () => {
  const a = decide(host({ readFaultRssKb: 4, thp: "always", swap: true, maxMapCount: 262144 }));
  const s = describeAdaptation(a);
  for (const want of ["mm.zeroPage=forbid", "PR_THP_DISABLE_EXCEPT_ADVISED", "swap", "262144"]) {
    assert.ok(s.includes(want), `${want} in ${s}`);
  }
});

Deno.test("probe: sysfs mode files read as their bracketed choice", () => {
  assert.equal(bracketed("always [madvise] never"), "madvise");
  assert.equal(bracketed("always within_size advise [never] deny force"), "never");
  assert.equal(bracketed(null), "none");
});

Deno.test("case RAM: # ram: sets mmlab's RAM; bad sizes are refused", async () => {
  const { parseHeader } = await import("../../repl/host/differ.ts");
  const info = parseHeader("# big\n# ram: 4G\nmmap(NULL, 2G, 3, 0x22, -1, 0)\n");
  assert.equal(info.ramBytes, 4 * 2 ** 30);
  const m = new Machine(machineConfig(undefined, decide(host()), info));
  assert.equal(m.config.ramBytes, 4 * 2 ** 30);
  assert.match(parseHeader("# x\n# ram: lots\n").badDirective!, /ram: lots/);
  assert.match(parseHeader("# x\n# ram: 4K\n").badDirective!, /16M or more/);
});

Deno.test("probe: an unprivileged host runs mmlab's process unprivileged, with its memlock limit", () => {
  const a = decide(host({ root: false, memlockBytes: 64 << 10 }));
  assert.equal(a.config.root, false);
  assert.equal(a.memlock, 64 << 10);
  assert.match(describeAdaptation(a), /not root .*RLIMIT_MEMLOCK=65536/);
  const m = new Machine(machineConfig(undefined, a, INFO));
  assert.equal(m.config.root, false);
  // A --check-host run that asks for root keeps it.
  assert.equal(new Machine(machineConfig({ root: true }, a, INFO)).config.root, true);
  assert.match(decide(host({ memlockBytes: Infinity })).adapted[0], /RLIMIT_MEMLOCK=unlimited/);
  assert.equal(decide(host()).config.root, undefined);
});

Deno.test("probe: an older kernel is compared with its era preset; a newer one is noted", () => {
  const old = decide(host({ kernel: "6.12.9-arch1" }));
  assert.equal(old.config.preset, "linux-6.12");
  assert.match(describeAdaptation(old), /kernel 6\.12 \(mmlab runs preset linux-6\.12\)/);
  const m = new Machine(machineConfig(undefined, old, INFO));
  assert.equal(m.policy("mremap.multiVma"), "efault"); // 6.17 allowed multi-VMA moves
  // The zero-page knob still applies on top of the preset.
  const both = decide(host({ kernel: "5.15.0-91-generic", readFaultRssKb: 4 }));
  const m2 = new Machine(machineConfig(undefined, both, INFO));
  assert.equal(m2.policy("mm.zeroPage"), "forbid");
  assert.equal(m2.policy("fork.pinnedPages"), "early-copy");
  // A preset the user asked for wins.
  assert.equal(machineConfig({ preset: "linux-6.18" }, old, INFO).preset, "linux-6.18");
  assert.equal(decide(host({ kernel: "6.18.1" })).config.preset, undefined);
  const next = decide(host({ kernel: "6.19.0-rc1" }));
  assert.equal(next.config.preset, undefined);
  assert.match(next.notes[0], /newer than mmlab's reference 6\.18/);
  assert.deepEqual(decide(host({ kernel: "" })).adapted, []);
});
