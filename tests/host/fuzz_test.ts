/**
 * A bounded differential fuzz run (repl/host/fuzz.ts): a fixed seed, 40
 * generated cases of 30 lines, each run on mmlab and on the host kernel;
 * every case must agree. Skipped (with the reason) where mmhost cannot be
 * built, as the conformance corpus is; cases this host cannot compare
 * (repl/host/probe.ts) are skipped with the reason.
 * `npx -y deno@2.9.6 task fuzz` runs more.
 */

import assert from "node:assert/strict";
import { buildHost } from "../../repl/host/build.ts";
import { CaseGenerator, commandOf, DRAIN_PAGE, fuzz, fuzzCase } from "../../repl/host/fuzz.ts";

const SEED = 20250101;
const CASES = 40;
const LENGTH = 30;

// Only "cannot run here" (no gcc, not x86-64 Linux, no --allow-run) skips; a compile error fails.
const build = await buildHost();
const skip = "skip" in build ? build.skip : undefined;

Deno.test("fuzz: the generator is deterministic and stays in the region", () => {
  assert.equal(fuzzCase(7, 3, 30), fuzzCase(7, 3, 30));
  assert.notEqual(fuzzCase(7, 3, 30), fuzzCase(7, 4, 30));
  const lines = new CaseGenerator(1).generateCase(200);
  assert.ok(lines.length >= 200 && lines.length <= 201);
  for (const l of lines) {
    for (const a of l.match(/0x[0-9a-f]{9,}/g) ?? []) {
      const n = parseInt(a, 16);
      assert.ok(n >= 0x7f0000000000 && n <= DRAIN_PAGE, `${a} outside the region in ${l}`);
    }
    assert.ok(!/\b(pages|ps|meminfo|status|dmesg|check|policy|exec)\b/.test(commandOf(l)), l);
  }
  assert.equal(commandOf("@c1 n2 = mremap(a, 4K, 8K, 0)"), "mremap");
});

Deno.test("fuzz: a third of the cases carry a userfaultfd: uffd commands, blocking thread episodes, all in the region", () => {
  const seen = new Set<string>();
  let cases = 0;
  for (let i = 0; i < 60; i++) {
    const text = fuzzCase(SEED, i, 60);
    if (!text.includes("userfaultfd(")) continue;
    cases++;
    assert.ok(text.includes("# requires: tmp_fs=ext4"));
    for (const l of text.split("\n")) {
      for (const a of l.match(/0x[0-9a-f]{9,}/g) ?? []) {
        const n = parseInt(a, 16);
        assert.ok(n >= 0x7f0000000000 && n <= DRAIN_PAGE, `${a} outside the region in ${l}`);
      }
      const m = /UFFDIO_\w+|pthread_create|^@t\d+ (peek|poke)|^close\(uf/.exec(l);
      if (m) seen.add(m[1] ? `thread ${m[1]}` : m[0]);
    }
  }
  assert.ok(cases > 10 && cases < 40, `${cases} of 60 cases have a uffd`);
  for (
    const k of [
      "UFFDIO_API",
      "UFFDIO_REGISTER",
      "UFFDIO_UNREGISTER",
      "UFFDIO_COPY",
      "UFFDIO_ZEROPAGE",
      "UFFDIO_MOVE",
      "UFFDIO_WAKE",
      "pthread_create",
      "thread peek",
      "thread poke",
      "close(uf",
    ]
  ) assert.ok(seen.has(k), `no ${k} in ${[...seen].join(" ")}`);
});

Deno.test({
  name: `fuzz: ${CASES} generated cases agree with the host kernel${
    skip ? ` (skipped: ${skip})` : ""
  }`,
  ignore: skip !== undefined,
  async fn() {
    const sum = await fuzz({ seed: SEED, cases: CASES, length: LENGTH, shrink: false });
    const found = sum.found.map((f) => f.description).join("\n\n");
    assert.equal(sum.errors, 0, "harness errors or malformed generated lines");
    assert.equal(
      sum.differ,
      0,
      `${sum.differ} of ${CASES} cases differ (${sum.adaptations}; reproduce: ` +
        `npx -y deno@2.9.6 task fuzz --seed ${SEED} --cases ${CASES}):\n\n${found}`,
    );
    const skipped = sum.skipped.map((s) => `case ${s.index}: ${s.reason}`);
    console.log(
      `fuzz seed ${SEED}: ${CASES} cases, ${sum.agree} agree, ${skipped.length} skipped; ` +
        sum.adaptations + skipped.map((s) => `\n  skipped ${s}`).join(""),
    );
    assert.equal(sum.agree + sum.skipped.length, CASES);
  },
});
