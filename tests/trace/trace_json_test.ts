/**
 * Trace steps as data: `trace json` prints each step as a JSON record;
 * `CMD --json` and the --jsonl batch carry the steps under `trace`.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { runBatch } from "../../repl/batch.ts";
import { KernelTrace, traceStepText } from "../../mod.ts";

const MAP = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

Deno.test("trace json: every trace line is a record {fn, path, decision, ...}; text mode prints its text", async () => {
  const s = new Session();
  await s.run(MAP);
  assert.deepEqual((await s.run("trace json")).output, []);
  assert.deepEqual((await s.run("trace")).output, ["trace is json"]);
  const r = await s.run("peek(a)");
  const lines = r.output.filter((l) => l.startsWith("trace: "));
  assert.equal(lines.length, r.data!.trace!.length);
  const recs = lines.map((l) => JSON.parse(l.slice("trace: ".length)));
  assert.deepEqual(recs, r.data!.trace);
  for (const rec of recs) {
    assert.deepEqual(Object.keys(rec).slice(0, 3), ["fn", "path", "decision"]);
    assert.equal(rec.fn, rec.path[rec.path.length - 1]);
  }
  assert.equal(recs[3].fn, "set_pte_at");
  await s.run("trace on");
  const t = await s.run("poke(a + 4K, 1)");
  const text = t.output.filter((l) => l.startsWith("trace: "));
  assert.deepEqual(text, t.data!.trace!.map((x) => `trace: ${traceStepText(x)}`));
});

Deno.test("CMD --json with tracing on carries the steps; with it off there is no trace key", async () => {
  const s = new Session();
  await s.run(MAP);
  const off = JSON.parse((await s.run("poke(a, 1) --json")).output.join("\n"));
  assert.ok(!("trace" in off));
  await s.run("trace on");
  const on = JSON.parse((await s.run("mprotect(a, 4K, PROT_READ) --json")).output.join("\n"));
  assert.deepEqual(Object.keys(on).at(-1), "trace");
  assert.deepEqual(on.trace[0], {
    fn: "__do_sys_mprotect",
    path: ["__do_sys_mprotect"],
    decision: "pid 1",
  });
  assert.ok(on.trace.some((x: { fn: string }) => x.fn === "__split_vma"));
  const bad = JSON.parse((await s.run("mprotect(a, 4K, 99) --json")).output.join("\n"));
  assert.deepEqual(bad.trace.at(-1), {
    fn: "__do_sys_mprotect",
    path: ["__do_sys_mprotect"],
    decision: "returns -EINVAL",
    errno: "-EINVAL",
  });
  const fault = JSON.parse((await s.run("poke(a + 8K, 1) --json")).output.join("\n"));
  const pte = fault.trace.find((x: { fn: string }) => x.fn === "handle_pte_fault");
  assert.match(pte.vma, /^vma [0-9a-f]+-[0-9a-f]+ rw-p \(rd wr mr mw me ac\)$/);
});

Deno.test("--jsonl batch: each line's steps under trace, structured (vma, errno, policy)", async () => {
  const out: string[] = [];
  await runBatch([
    "b = mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    "trace on",
    "pin_user_pages(b, 1, FOLL_WRITE)",
    "trace off",
    "pin_user_pages(b, 1, FOLL_WRITE)",
  ], { session: new Session(), source: "t", write: (l) => out.push(l), jsonl: true });
  const objs = out.map((l) => JSON.parse(l));
  const check = objs[2].trace.find((x: { fn: string }) => x.fn === "check_vma_flags");
  assert.equal(check.errno, "-EFAULT");
  assert.match(check.vma, /^vma [0-9a-f]+-[0-9a-f]+ r--p /);
  assert.equal(objs[2].trace[0].fn, "pin_user_pages");
  assert.ok(!("trace" in objs[4]));
});

Deno.test("KernelTrace: dropped steps are counted in a last record; nesting builds the path", () => {
  const t = new KernelTrace();
  t.begin("a → b", "why");
  t.step("c", undefined, { errno: "-EFAULT" });
  t.end();
  t.step("d");
  const steps = t.takeSteps();
  assert.deepEqual(steps, [
    { fn: "b", path: ["a", "b"], decision: "why" },
    { fn: "c", path: ["a", "b", "c"], decision: null, errno: "-EFAULT" },
    { fn: "d", path: ["d"], decision: null },
  ]);
  assert.deepEqual(steps.map(traceStepText), ["a → b: why", "a → b → c", "d"]);
  for (let i = 0; i < 10_002; i++) t.step("x", "y");
  const many = t.takeSteps();
  assert.equal(many.length, 10_001);
  assert.equal(traceStepText(many[10_000]), "(2 more trace lines dropped)");
  assert.deepEqual(t.take(), []);
});
