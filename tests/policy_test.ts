import assert from "node:assert/strict";
import {
  checkKnob,
  checkPreset,
  KNOBS,
  type KnobSpec,
  PLANNED_KNOBS,
  PLANNED_PRESETS,
  presetNames,
  presetPolicies,
  RFC_PRESETS,
} from "../lib/policy.ts";
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
  assert.equal(presetPolicies("linux-5.0")!["gup.pinModel"], "get");
  assert.equal(presetPolicies("linux-6.2")!["gup.roLongtermInCow"], "unshare");
  // devices.md errata: the bias 5.7, O_DIRECT pins and the unpinned zero page 6.5,
  // the non-lockdep assertion 6.10, vma_start_write 6.4.
  const at = (v: string) => presetPolicies(`linux-${v}`)!;
  assert.deepEqual([at("5.6")["gup.pinModel"], at("5.7")["gup.pinModel"]], ["get", "pin"]);
  assert.deepEqual([at("6.4")["dio.pinType"], at("6.5")["dio.pinType"]], ["get", "pin"]);
  assert.deepEqual([at("6.4")["gup.pinZeroPage"], at("6.5")["gup.pinZeroPage"]], ["ref", "skip"]);
  assert.deepEqual(
    [at("6.2")["mm.vmFlagsAssert"], at("6.9")["mm.vmFlagsAssert"], at("6.10")["mm.vmFlagsAssert"]],
    ["none", "lockdep-only", "always"],
  );
  assert.deepEqual(
    [at("6.3")["config.PER_VMA_LOCK"], at("6.4")["config.PER_VMA_LOCK"]],
    ["unavailable", "y"],
  );
  assert.equal(presetPolicies("linux-9.9x"), undefined);
});

Deno.test("policy: machines take presets and overrides; bad ones are refused", () => {
  const m = new Machine({ preset: "linux-5.0", policies: { "fork.pinnedPages": "early-copy" } });
  assert.equal(m.policy("gup.pinModel"), "get");
  assert.equal(m.policy("fork.pinnedPages"), "early-copy");
  assert.match(checkKnob("fork.pinnedPages", "nope")!, /takes cow-steal, early-copy/);
  assert.throws(() => new Machine({ preset: "linux-0.01" }));
  assert.equal(m.setPolicy("no.such", "x"), "unknown policy no.such");
});

/** lib/ sources (path relative to lib/ -> text), policy.ts itself left out. */
async function libSources(): Promise<Map<string, string>> {
  const root = new URL("../lib/", import.meta.url);
  const out = new Map<string, string>();
  const walk = async (dir: URL, prefix: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`);
      else if (e.name.endsWith(".ts") && `${prefix}${e.name}` !== "policy.ts") {
        out.set(`${prefix}${e.name}`, await Deno.readTextFile(new URL(e.name, dir)));
      }
    }
  };
  await walk(root, "");
  return out;
}

/**
 * Every listed knob's problems: read by no module, or a module reading it
 * without a `Record<KnobValue<"knob">, ...>` (or exhaustive switch) naming
 * each of its values. Planned knobs must be read by none.
 */
function knobProblems(
  knobs: Record<string, KnobSpec>,
  planned: Record<string, KnobSpec>,
  files: Map<string, string>,
): string[] {
  const out: string[] = [];
  const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  for (const [name, spec] of Object.entries(knobs)) {
    if (spec.values.length < 2) out.push(`${name}: one value selects nothing`);
    const readers = [...files].filter(([, src]) => src.includes(`policy("${name}")`));
    if (readers.length === 0) {
      out.push(`${name}: listed, but no lib/ module reads policy("${name}")`);
      continue;
    }
    for (const [rel, src] of readers) {
      if (!src.includes(`KnobValue<"${name}">`)) {
        out.push(`${name}: ${rel} reads it without a Record<KnobValue<"${name}">, ...>`);
      }
      for (const v of spec.values) {
        const key = new RegExp(`(?:"${quote(v)}"|\\b${quote(v)})\\s*:|case\\s+"${quote(v)}"\\s*:`);
        if (!key.test(src)) out.push(`${name}: ${rel} maps no behaviour to value ${v}`);
      }
    }
  }
  for (const name of Object.keys(planned)) {
    if (name in knobs) out.push(`${name}: both listed and planned`);
    for (const [rel, src] of files) {
      if (src.includes(`policy("${name}")`)) out.push(`${name}: planned, but ${rel} reads it`);
    }
  }
  return out;
}

Deno.test("policy: the knob checker flags unread knobs, unmapped values and read planned knobs", () => {
  const spec = (values: string[]): KnobSpec => ({ values, history: [], meaning: "", area: "" });
  const knobs = {
    "a.read": spec(["x", "y-z"]),
    "b.unread": spec(["p", "q"]),
    "c.one": spec(["o"]),
  };
  const files = new Map([
    [
      "mm/a.ts",
      'const T: Record<KnobValue<"a.read">, boolean> = { x: false };\nT[m.policy("a.read")];',
    ],
    ["mm/c.ts", 'switch (m.policy("c.one")) {\n  case "o": break;\n}\nm.policy("d.planned");'],
  ]);
  assert.deepEqual(knobProblems(knobs, { "d.planned": spec(["u", "v"]) }, files), [
    "a.read: mm/a.ts maps no behaviour to value y-z",
    'b.unread: listed, but no lib/ module reads policy("b.unread")',
    "c.one: one value selects nothing",
    'c.one: mm/c.ts reads it without a Record<KnobValue<"c.one">, ...>',
    "d.planned: planned, but mm/c.ts reads it",
  ]);
});

Deno.test("policy: every listed knob is read by lib/ code that maps each of its values", async () => {
  assert.deepEqual(
    knobProblems(
      KNOBS as Record<string, KnobSpec>,
      PLANNED_KNOBS as Record<string, KnobSpec>,
      await libSources(),
    ),
    [],
  );
});

Deno.test("policy: planned knobs and presets are listed nowhere and refused everywhere", () => {
  for (const [name, spec] of Object.entries(PLANNED_KNOBS)) {
    assert.match(checkKnob(name, spec.values[0])!, new RegExp(`planned for issue ${spec.issue}`));
    for (const p of presetNames()) assert.ok(!(name in presetPolicies(p)!), `${p} has ${name}`);
  }
  for (const [name, p] of Object.entries(PLANNED_PRESETS)) {
    assert.ok(!presetNames().includes(name) && !(name in RFC_PRESETS));
    assert.equal(presetPolicies(name), undefined);
    assert.equal(
      checkPreset(name),
      `preset ${name} is planned for issue ${p.issue}: no code implements its knobs yet`,
    );
    // A planned preset waits only for planned knobs.
    for (const k of Object.keys(p.set)) assert.ok(k in PLANNED_KNOBS, `${name}: ${k}`);
    assert.throws(() => new Machine({ preset: name }), /planned for issue/);
  }
  assert.equal(checkPreset("linux-6.18"), null);
  assert.equal(checkPreset("linux-9.9"), "unknown preset linux-9.9");
  assert.deepEqual(
    Object.keys(PLANNED_KNOBS).sort(),
    ["vfio.onMemoryDisable"],
  );
});
