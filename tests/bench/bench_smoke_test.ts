/**
 * Keeps `deno task bench` from rotting: the mmlab side of every benchmark at
 * tiny sizes, the report, the kernel-output parser, and one `--quick` run of
 * the script itself (kernel side included when gcc is present). Speeds are
 * never asserted.
 */
import assert from "node:assert/strict";
import { runMmlab } from "../../bench/mmlab_bench.ts";
import { OPS, QUICK, selectOps, speedup, TINY } from "../../bench/ops.ts";
import { compare, formatTable } from "../../bench/report.ts";
import { parseKernelOutput, parseKernelSkips } from "../../bench/kernel.ts";

const NAMES = OPS.map((o) => o.name);

Deno.test("bench: every mmlab benchmark runs at tiny sizes", () => {
  const seen: string[] = [];
  const res = runMmlab(TINY, NAMES, (m) => seen.push(m.op));
  assert.deepEqual(res.map((m) => m.op), NAMES);
  assert.deepEqual(seen, NAMES);
  for (const m of res) {
    const info = OPS.find((o) => o.name === m.op)!;
    assert.equal(m.unit, info.unit, m.op);
    assert.equal(m.samples.length, m.op === "fork" ? TINY.forkReps : TINY.reps, m.op);
    for (const x of [m.value, ...m.samples]) {
      assert.ok(Number.isFinite(x) && x > 0, `${m.op}: ${x}`);
    }
    assert.ok(Math.min(...m.samples) <= m.value && m.value <= Math.max(...m.samples), m.op);
  }
});

Deno.test("bench: the uffd round trip resolves every page it faults on", () => {
  const [m] = runMmlab({ ...TINY, uffdPages: 3, reps: 1, warmup: 0 }, ["uffd"]);
  assert.equal(m.op, "uffd");
  assert.equal(m.samples.length, 1);
  assert.ok(m.value > 0);
});

Deno.test("bench: a kernel op the host cannot run is skipped with its reason", () => {
  const text = "result\tmaps\t2.5\tms/op\t2.5\n" +
    "skip\tuffd\tuserfaultfd(O_CLOEXEC|O_NONBLOCK): Operation not permitted\n";
  assert.deepEqual(parseKernelOutput(text).map((k) => k.op), ["maps"]);
  assert.deepEqual(parseKernelSkips(text), [
    { op: "uffd", reason: "userfaultfd(O_CLOEXEC|O_NONBLOCK): Operation not permitted" },
  ]);
  // Without a kernel figure the uffd row is judged against the issue's (20.5k/s).
  const mm = [{ op: "uffd", value: 41_000, unit: "ops/s" as const, samples: [41_000] }];
  const rows = compare(TINY, mm, parseKernelOutput(text));
  assert.deepEqual(rows.map((r) => r.op), ["maps", "uffd"]);
  const row = rows[1];
  assert.equal(row.kernel, null);
  assert.equal(row.issueKernel, 20_500);
  assert.equal(row.speedupVsIssue, 2);
  assert.equal(row.meetsGoal, true);
  assert.match(formatTable([row])[2], /^uffd .* 2\.00x\* .* 20\.5k$/);
});

Deno.test("bench: op selection, ratios and the table", () => {
  assert.deepEqual(selectOps([]), NAMES);
  assert.deepEqual(selectOps(["maps", "mmap"]), ["mmap", "maps"]);
  assert.deepEqual(selectOps(["mprotect"]), [
    "mprotect-split",
    "mprotect-rand-1k",
    "mprotect-rand-60k",
  ]);
  assert.equal(typeof selectOps(["nope"]), "string");
  assert.equal(speedup("ops/s", 400, 100), 4);
  assert.equal(speedup("ms/op", 2, 8), 4);

  const mm = [{ op: "mmap", value: 500_000, unit: "ops/s" as const, samples: [500_000] }];
  const kn = parseKernelOutput(
    "result\tmmap\t250000\tops/s\t240000,250000,260000\n" +
      "result\tmaps\t2.5\tms/op\t2.5\n",
  );
  assert.equal(kn.length, 2);
  assert.deepEqual(kn[0].samples, [240000, 250000, 260000]);
  assert.throws(() => parseKernelOutput("error\tfork\tfork: EAGAIN\n"));
  const rows = compare(QUICK, mm, kn);
  assert.deepEqual(rows.map((r) => r.op), ["mmap", "maps"]);
  assert.equal(rows[0].speedup, 2);
  assert.equal(rows[0].meetsGoal, true);
  assert.equal(rows[1].mmlab, null);
  assert.equal(rows[1].meetsGoal, null);
  const table = formatTable(rows);
  assert.equal(table.length, 4);
  assert.match(table[2], /^mmap .* 2\.00x/);
});

Deno.test("bench: `deno task bench --quick` runs end to end", async () => {
  const main = `${import.meta.dirname}/../../bench/main.ts`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-run",
      "--allow-write=/tmp",
      main,
      "--quick",
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(out.stderr);
  assert.ok(out.success, err);
  // stderr is piped: the log lines, no progress line redrawn in place.
  assert.ok(!err.includes("\r"), err);
  const r = JSON.parse(new TextDecoder().decode(out.stdout));
  assert.equal(r.quick, true);
  assert.deepEqual(r.rows.map((x: { op: string }) => x.op), NAMES);
  for (const row of r.rows) assert.ok(row.mmlab > 0, row.op);
  if (r.kernel.skipped === undefined) {
    // gcc was there: every op the host could run has a kernel figure and a ratio.
    const skipped = r.kernel.skippedOps.map((k: { op: string }) => k.op);
    for (const op of skipped) assert.match(err, new RegExp(`kernel  ${op} +skipped: `));
    for (const row of r.rows) {
      if (skipped.includes(row.op)) assert.equal(row.kernel, null, row.op);
      else assert.ok(row.kernel > 0 && row.speedup > 0, row.op);
    }
  } else {
    assert.match(err, /no kernel figures/);
  }
});
