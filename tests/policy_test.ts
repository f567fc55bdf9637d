import assert from "node:assert/strict";
import { checkKnob, KNOBS, presetNames, presetPolicies } from "../lib/policy.ts";
import { Machine } from "../mod.ts";

Deno.test("policy: every preset gives every knob one of its values", () => {
  for (const name of presetNames()) {
    const p = presetPolicies(name)!;
    for (const [k, spec] of Object.entries(KNOBS)) {
      assert.ok(
        (spec.values as readonly string[]).includes((p as Record<string, string>)[k]),
        `${name} ${k}`,
      );
    }
  }
});

Deno.test("policy: eras follow the kernel's history", () => {
  assert.equal(presetPolicies("linux-6.18")!["fork.pinnedPages"], "early-copy");
  assert.equal(presetPolicies("linux-5.8")!["fork.pinnedPages"], "cow-steal");
  assert.equal(presetPolicies("linux-6.16")!["mremap.multiVma"], "efault");
  assert.equal(presetPolicies("linux-6.18")!["mremap.multiVma"], "allow");
  assert.equal(presetPolicies("rfc-2014-userfault")!["uffd.madv18"], "userfault-rfc");
  assert.equal(presetPolicies("linux-9.9x"), undefined);
});

Deno.test("policy: machines take presets and overrides; bad ones are refused", () => {
  const m = new Machine({ preset: "linux-5.0", policies: { "fork.pinnedPages": "early-copy" } });
  assert.equal(m.policy("rdma.onDisassociate"), "sigbus");
  assert.equal(m.policy("fork.pinnedPages"), "early-copy");
  assert.match(checkKnob("fork.pinnedPages", "nope")!, /takes cow-steal, early-copy/);
  assert.throws(() => new Machine({ preset: "linux-0.01" }));
  assert.equal(m.setPolicy("no.such", "x"), "unknown policy no.such");
});
