/**
 * The web view's teaching endpoints without a browser: explain of a page
 * for read, write and exec (the REPL's own explain, changing nothing), and
 * trace steps as data beside a command's output and a replay step's.
 */

import assert from "node:assert/strict";
import { WebApp } from "../../web/app.ts";
import { stateJson, USER_TOP } from "../../web/state.ts";
import { withoutTraceLines } from "../../web/teach.ts";
import { Session } from "../../repl/session.ts";
import { parseTranscript } from "../../repl/transcript/format.ts";
import type { Machine, TraceStep } from "../../mod.ts";

const A = 0x7f0000000000;
const MAP = `a = mmap(0x${
  A.toString(16)
}, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)`;
/** A page shared copy-on-write by pid 1 and its child pid 2; the next page untouched. */
const COW = [MAP, "poke(a, 1)", "fork()"];

async function get(app: WebApp, path: string): Promise<{ status: number; body: any }> {
  const r = await app.handle(new Request(`http://127.0.0.1${path}`));
  return { status: r.status, body: await r.json() };
}

async function post(app: WebApp, path: string, body: string) {
  const r = await app.handle(new Request(`http://127.0.0.1${path}`, { method: "POST", body }));
  return { status: r.status, body: await r.json() };
}

async function run(app: WebApp, line: string): Promise<any> {
  const r = await post(app, "/api/command", JSON.stringify({ line }));
  assert.equal(r.status, 200);
  return r.body;
}

async function appWith(lines: string[]): Promise<WebApp> {
  const app = new WebApp();
  for (const l of lines) await run(app, l);
  return app;
}

/**
 * Everything a dry run could change: what the page draws, every PTE of
 * every process, the frames' counts, the clock, the generator, vmstat, the
 * log, and the session around the machine (`_`, errno, the change count).
 */
function digest(app: WebApp): string {
  const m: Machine = app.session.machine;
  const s = app.session;
  const parts = [JSON.stringify(stateJson(m, s.pid, s.prompt(), app.seq))];
  for (const p of [...m.procs.values()].sort((a, b) => a.pid - b.pid)) {
    if (!p.alive) continue;
    p.mm.pt.forEachTable(0, USER_TOP / 4096, (t, base, lo, hi) => {
      for (let i = lo; i < hi; i++) {
        if (t.bits[i] !== 0) parts.push(`${p.pid} ${base + i} ${t.bits[i]} ${t.pfn[i]}`);
      }
    });
  }
  const fr = m.frames;
  parts.push(
    [...fr.refcount].join(","),
    [...fr.mapcount].join(","),
    [...fr.pincount].join(","),
    `ns ${m.clock.ns} free ${fr.freeCount}`,
    JSON.stringify(m.rng),
    JSON.stringify(m.vmstat),
    m.dmesg.format().join("\n"),
    `_ ${s.habits.last} errno ${s.habits.errno} trace ${m.trace !== null}`,
  );
  return parts.join("\n");
}

Deno.test("explain: a COW page's read, write and exec, as the REPL's explain prints them", async () => {
  const app = await appWith(COW);
  const twin = new Session();
  for (const l of COW) await twin.run(l);
  const r = await get(app, `/api/explain?pid=1&addr=${A + 5}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.pid, 1);
  assert.equal(r.body.addr, A, "the page clicked, from its first byte");
  const acc = r.body.accesses;
  assert.deepEqual(acc.map((x: any) => [x.access, x.outcome]), [
    ["read", "hit"],
    ["write", "cow-copy"],
    ["exec", "segv"],
  ]);
  for (const x of acc) {
    const k = x.access;
    assert.deepEqual(x.text, (await twin.run(`explain a ${k}`)).output, k);
    assert.deepEqual(x.data, JSON.parse((await twin.run(`explain a ${k} --json`)).output.join("")));
  }
  const w = acc[1].data;
  assert.equal(w.frame.mapcount, 2);
  assert.ok(w.path.some((s: string) => s.includes("wp_page_copy")), w.path.join("\n"));
  assert.equal(acc[2].data.signal.code, "SEGV_ACCERR");
  // An untouched page: a read maps the zero page or a new one (the policy says which).
  const fresh = (await get(app, `/api/explain?pid=2&addr=${A + 0x1000}`)).body.accesses;
  assert.match(fresh[0].outcome, /^(zero-page|new-page)$/);
  assert.equal(fresh[1].outcome, "new-page");
  // No VMA: each access is a SIGSEGV with SEGV_MAPERR.
  const none = (await get(app, `/api/explain?pid=1&addr=${A + 0x10000}`)).body.accesses;
  assert.deepEqual(none.map((x: any) => x.data.signal?.code), Array(3).fill("SEGV_MAPERR"));
});

Deno.test("explain: the endpoint changes nothing, traced or not; the machine goes on the same", async () => {
  const app = await appWith([...COW, "pin_user_pages(a+8K, 1, FOLL_WRITE)", "trace on"]);
  const twin = await appWith([...COW, "pin_user_pages(a+8K, 1, FOLL_WRITE)", "trace on"]);
  const d0 = digest(app);
  assert.equal(d0, digest(twin));
  for (const pid of [1, 2]) {
    for (let addr = A - 0x1000; addr <= A + 0x4000; addr += 0x1000) {
      assert.equal((await get(app, `/api/explain?pid=${pid}&addr=${addr}`)).status, 200);
    }
  }
  assert.equal(digest(app), d0);
  // No trace steps were left for the next command: both print the same.
  for (const line of ["@2 poke(a, 2)", "poke(a+4K, 3)", "maps"]) {
    assert.deepEqual(await run(app, line), await run(twin, line), line);
  }
  assert.equal(digest(app), digest(twin));
});

Deno.test("trace: off costs nothing; on, the steps come as data beside the output", async () => {
  const app = await appWith([MAP]);
  const m = app.session.machine;
  let r = await run(app, "poke(a, 1)");
  assert.deepEqual(Object.keys(r).sort(), ["output", "prompt", "seq"]);
  assert.equal(m.trace, null);
  assert.equal((await get(app, "/api/state")).body.trace, false);

  const seq = app.seq;
  const t = await post(app, "/api/trace", '{"on": true}');
  assert.deepEqual([t.status, t.body], [200, { on: true }]);
  assert.equal(app.seq, seq + 1, "the pages redraw");
  assert.equal((await get(app, "/api/state")).body.trace, true);
  r = await run(app, "poke(a+4K, 1)");
  assert.deepEqual(r.output, ["= 1"], "the steps are not in the output lines");
  const fns = r.trace.map((s: TraceStep) => s.fn);
  assert.ok(r.trace.some((s: TraceStep) => s.path.includes("do_anonymous_page")), fns.join());
  for (const s of r.trace as TraceStep[]) {
    assert.equal(s.fn, s.path[s.path.length - 1] ?? "");
    assert.ok(s.decision === null || typeof s.decision === "string");
  }
  r = await run(app, "fork()");
  r = await run(app, "poke(a, 2)");
  assert.ok(r.trace.some((s: TraceStep) => s.path.includes("do_wp_page")));
  assert.deepEqual(r.output, ["= 1"]);
  // A failed call: the errno ends the steps; the output is strace's line.
  r = await run(app, "mprotect(a+1, 4K, PROT_READ)");
  assert.deepEqual(r.output, ["= -1 EINVAL (Invalid argument)"]);
  assert.ok(r.trace.length > 0);

  // `trace off` typed in the command box: the toggle follows; nothing is traced.
  await run(app, "trace off");
  assert.equal((await get(app, "/api/state")).body.trace, false);
  r = await run(app, "poke(a+8K, 1)");
  assert.equal(r.trace, undefined);
  assert.equal(app.session.machine.trace, null);
});

Deno.test("trace: `trace json` and filters keep the command's own lines", async () => {
  const app = await appWith([MAP, "trace json"]);
  const r = await run(app, "poke(a, 1)");
  assert.deepEqual(r.output, ["= 1"]);
  assert.ok(r.trace.length > 2);
  const steps: TraceStep[] = r.trace;
  const lines = steps.map((s) => `trace: ${JSON.stringify(s)}`);
  // A filter that kept some steps and the result: the steps go, the result stays.
  assert.deepEqual(withoutTraceLines([lines[1], lines[3], "= 1"], steps), ["= 1"]);
  assert.deepEqual(withoutTraceLines(["trace: not a step", "= 1"], steps), [
    "trace: not a step",
    "= 1",
  ]);
});

Deno.test("trace: the toggle carries over to a machine built afresh (reset, undo)", async () => {
  const app = await appWith([MAP]);
  await post(app, "/api/trace", '{"on": true}');
  await run(app, "poke(a, 1)");
  await run(app, "undo");
  assert.equal((await get(app, "/api/state")).body.trace, true);
  assert.ok((await run(app, "poke(a, 1)")).trace.length > 0);
  await run(app, "reset");
  assert.equal((await get(app, "/api/state")).body.trace, true);
  await post(app, "/api/trace", '{"on": false}');
  await run(app, "reset");
  assert.equal((await get(app, "/api/state")).body.trace, false);
});

Deno.test("replay: with trace on, each step carries its trace; its output is still the lab's", async () => {
  const file = "scripts/labs/01-vma-split-merge.mm";
  const text = await Deno.readTextFile(new URL(`../../${file}`, import.meta.url));
  const cmds = parseTranscript(text).blocks.flatMap((b) => (b.kind === "command" ? [b] : []));
  const app = new WebApp({ replay: { file, text } });
  let r = (await post(app, "/api/replay", '{"action":"next"}')).body;
  assert.equal(r.last.trace, undefined, "off: no trace");
  await post(app, "/api/trace", '{"on": true}');
  const traced: number[] = [];
  for (let i = 2; i <= Math.min(cmds.length, 6); i++) {
    r = (await post(app, "/api/replay", '{"action":"next"}')).body;
    assert.deepEqual(r.last.output, cmds[i - 1].expected, cmds[i - 1].input);
    assert.ok(Array.isArray(r.last.trace));
    if (r.last.trace.length > 0) traced.push(i);
  }
  assert.ok(traced.length > 0, "some step of the lab makes a syscall");
  const k = traced[0];
  // Stepping back rebuilds the machine: tracing stays on, and the step's steps are the same.
  const again = (await post(app, "/api/replay", `{"action":"goto","step":${k}}`)).body;
  assert.equal(again.step, k);
  assert.ok(again.last.trace.length > 0);
  assert.equal(
    (await get(app, "/api/state")).body.replay.last.trace.length,
    again.last.trace.length,
  );
  assert.equal((await get(app, "/api/state")).body.trace, true);
});

Deno.test("bad requests to explain and trace: one JSON error each; the server carries on", async () => {
  const app = await appWith([MAP, "fork()", "@2 exit(0)"]);
  const cases: [string, string, string | undefined, number, RegExp][] = [
    ["GET", "/api/explain?pid=1", undefined, 400, /missing parameter addr/],
    ["GET", "/api/explain?addr=0", undefined, 400, /missing parameter pid/],
    ["GET", "/api/explain?pid=1&addr=zz", undefined, 400, /addr=zz/],
    ["GET", `/api/explain?pid=1&addr=${USER_TOP}`, undefined, 400, /addr/],
    ["GET", "/api/explain?pid=99&addr=0", undefined, 404, /no process 99/],
    ["GET", "/api/explain?pid=2&addr=0", undefined, 400, /process 2 has exited/],
    ["POST", "/api/explain?pid=1&addr=0", "{}", 404, /no such resource/],
    ["POST", "/api/trace", "{", 400, /not JSON/],
    ["POST", "/api/trace", "[true]", 400, /JSON object/],
    ["POST", "/api/trace", '{"on": "yes"}', 400, /expected \{"on": true \| false\}/],
    ["POST", "/api/trace", "{}", 400, /expected/],
    ["GET", "/api/trace", undefined, 404, /no such resource/],
  ];
  const d0 = digest(app);
  for (const [method, path, body, status, re] of cases) {
    const r = await app.handle(new Request(`http://127.0.0.1${path}`, { method, body }));
    assert.equal(r.status, status, `${method} ${path}`);
    const j = await r.json();
    assert.deepEqual(Object.keys(j), ["error"], `${method} ${path}`);
    assert.match(j.error, re);
  }
  assert.equal(digest(app), d0, "a refused request changes nothing");
  assert.equal((await get(app, `/api/explain?pid=1&addr=${A}`)).status, 200);
});
