/**
 * The web view's server without a socket or a browser: WebApp.handle()
 * answers requests with the JSON the page draws.
 */

import assert from "node:assert/strict";
import { WebApp } from "../../web/app.ts";
import { Session } from "../../repl/session.ts";
import { parseTranscript } from "../../repl/transcript/format.ts";
import { sessionFor } from "../../repl/transcript/replay.ts";
import { stateJson, stripJson } from "../../web/state.ts";

const A = 0x7f0000000000;
const MAP = `a = mmap(${
  "0x" + A.toString(16)
}, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)`;

async function get(app: WebApp, path: string): Promise<{ status: number; body: any }> {
  const r = await app.handle(new Request(`http://127.0.0.1${path}`));
  return { status: r.status, body: await r.json() };
}

async function post(app: WebApp, path: string, body: string) {
  const r = await app.handle(new Request(`http://127.0.0.1${path}`, { method: "POST", body }));
  return { status: r.status, body: await r.json() };
}

async function run(app: WebApp, line: string): Promise<string[]> {
  const r = await post(app, "/api/command", JSON.stringify({ line }));
  assert.equal(r.status, 200);
  return r.body.output;
}

Deno.test("state: processes with their VMAs as maps lists them, frames, PCI, dmesg", async () => {
  const app = new WebApp();
  await run(app, MAP);
  const { status, body } = await get(app, "/api/state");
  assert.equal(status, 200);
  assert.equal(body.seq, 1);
  assert.equal(body.pid, 1);
  assert.equal(body.prompt, "[1] mm> ");
  const p = body.processes[0];
  assert.equal(p.pid, 1);
  const maps = await run(app, "maps");
  // maps adds the [vsyscall] gate, which is no VMA of the mm.
  assert.equal(p.vmaCount, maps.length - 1);
  assert.equal(p.vmas.length, p.vmaCount);
  const v = p.vmas.find((x: { start: number }) => x.start === A);
  assert.deepEqual(
    { perms: v.perms, kind: v.kind, pages: v.summary.pages, present: v.summary.present },
    { perms: "rw-p", kind: "anon", pages: 4, present: 0 },
  );
  const heap = p.vmas.find((x: { name: string }) => x.name === "[heap]");
  assert.equal(heap.kind, "heap");
  // 1 GiB of RAM and the REPL machine's 256 MiB of pmem after it (lib/fs/dax.ts).
  assert.equal(body.frames.nframes, 262144 + 65536);
  assert.equal(body.frames.cells.length, 65536);
  assert.equal(Array.isArray(body.dmesg), true);
  assert.equal(Array.isArray(body.pci.functions), true);
  assert.equal(body.replay, null);
});

Deno.test("strip: an mprotect in the middle of a VMA shows three segments; pages shaded", async () => {
  const app = new WebApp();
  await run(app, MAP);
  await run(app, "mprotect(a+4K, 4K, PROT_READ)");
  await run(app, "poke(a, 1)");
  await run(app, "pin_user_pages(a+8K, 1, FOLL_WRITE)");
  const { body: s } = await get(app, `/api/strip?pid=1&lo=${A}&hi=${A + 0x4000}&width=800`);
  assert.equal(s.cols, 4, "never more columns than pages");
  assert.deepEqual(s.segments.map((g: { perms: string }) => g.perms), ["rw-p", "r--p", "rw-p"]);
  assert.deepEqual(s.mapped, [1, 1, 1, 1]);
  assert.deepEqual(s.present, [1, 0, 1, 0]);
  assert.deepEqual(s.dirty, [1, 0, 1, 0]);
  assert.deepEqual(s.pinned, [0, 0, 1, 0]);
  assert.deepEqual(s.pinMarks, [A + 0x2000]);
  assert.deepEqual(
    s.segments.map((g: { summary: { present: number; pinned: number } }) => [
      g.summary.present,
      g.summary.pinned,
    ]),
    [[1, 0], [0, 0], [1, 1]],
  );
  // The grid cell holding the pinned frame shows it, whichever frame of the cell is asked.
  const pfn = (await get(app, `/api/page?pid=1&addr=${A + 0x2000}`)).body.pfn;
  const cell = (await get(app, `/api/frame?pfn=${pfn - (pfn % 64)}&n=64`)).body;
  assert.equal(cell.pfn, pfn);
  assert.equal(cell.pincount, 1);
  const page = (await get(app, `/api/page?pid=1&addr=${A + 0x2000}`)).body;
  assert.equal(page.pte, "present");
  assert.equal(page.frame.pincount, 1);
  assert.deepEqual(page.frame.owners, [{ pid: 1, addr: A + 0x2000 }]);
});

Deno.test("strip: VMAs narrower than a column fold into one segment; the whole 128 TiB", async () => {
  const s = new Session();
  await s.run(MAP.replace("16K", "64K"));
  for (let i = 1; i < 16; i += 2) await s.run(`mprotect(a+${i * 4}K, 4K, PROT_READ)`);
  const p = s.machine.process(1)!;
  const whole = stripJson(p, 0, 2 ** 47, 100);
  assert.equal(whole.cols, 100);
  assert.equal(whole.vmaCount, p.mm.mapCount);
  assert.equal(whole.segments.reduce((n, g) => n + g.count, 0), p.mm.mapCount);
  assert.ok(whole.segments.length < 10, `${whole.segments.length} segments`);
  const fold = whole.segments.find((g) => g.start <= A && g.end > A)!;
  assert.ok(fold.count >= 16);
  assert.equal(fold.summary, null);
  // One page over 4000 columns: one column, the page.
  const one = stripJson(p, A + 0x1000, A + 0x2000, 4000);
  assert.equal(one.cols, 1);
  assert.deepEqual(one.segments.map((g) => g.perms), ["r--p"]);
});

Deno.test("strip: a userfaultfd-registered VMA, its missing pages shaded until filled", async () => {
  const app = new WebApp();
  await run(app, "s = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  await run(app, "poke(s, 1)");
  await run(app, MAP);
  await run(app, "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)");
  await run(app, "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})");
  const reg = await run(
    app,
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=8K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
  );
  assert.match(reg.join("\n"), /= 0/);
  const strip = async () =>
    (await get(app, `/api/strip?pid=1&lo=${A}&hi=${A + 0x4000}&width=4`)).body;
  let s = await strip();
  assert.deepEqual(s.segments.map((g: { kind: string }) => g.kind), ["userfault", "anon"]);
  assert.deepEqual(s.uffdMissing, [1, 1, 0, 0]);
  await run(app, "ioctl(uffd, UFFDIO_COPY, {dst=a, src=s, len=4K, mode=0})");
  s = await strip();
  assert.deepEqual(s.uffdMissing, [0, 1, 0, 0]);
  assert.deepEqual(s.present, [1, 0, 0, 0]);
  const st = (await get(app, "/api/state")).body;
  const v = st.processes[0].vmas.find((x: { start: number }) => x.start === A);
  assert.deepEqual([v.kind, v.summary.uffdMissing, v.summary.present], ["userfault", 1, 1]);
});

Deno.test("page and frame: a COW after fork changes the frame's owners", async () => {
  const app = new WebApp();
  await run(app, MAP);
  await run(app, "poke(a, 1)");
  await run(app, "fork()");
  const shared = (await get(app, `/api/page?pid=1&addr=${A}`)).body;
  const pfn = shared.pfn;
  assert.deepEqual(shared.frame.owners.map((o: { pid: number }) => o.pid), [1, 2]);
  await run(app, "@2 poke(a, 2)");
  const frame = (await get(app, `/api/frame?pfn=${pfn}`)).body;
  assert.deepEqual(frame.owners, [{ pid: 1, addr: A }]);
  const child = (await get(app, `/api/page?pid=2&addr=${A}`)).body;
  assert.notEqual(child.pfn, pfn);
  assert.deepEqual(child.frame.owners, [{ pid: 2, addr: A }]);
});

Deno.test("smaps and completion: the REPL's own text and completer", async () => {
  const app = new WebApp();
  await run(app, MAP);
  const sm = (await get(app, `/api/smaps?pid=1&addr=${A + 5}`)).body;
  assert.deepEqual(sm.lines, await run(app, "smaps a"));
  const c = (await get(app, "/api/complete?line=mpr")).body;
  assert.deepEqual(c, { completions: ["mprotect("], prefix: "mpr" });
});

Deno.test("bad requests get one clear error JSON and the server carries on", async () => {
  const app = new WebApp();
  const cases: [string, string, string | undefined, number, RegExp][] = [
    ["GET", "/api/strip?pid=1&lo=zz&hi=1&width=10", undefined, 400, /lo=zz/],
    ["GET", "/api/strip?pid=1&lo=5&hi=1&width=10", undefined, 400, /hi must be above lo/],
    ["GET", "/api/strip?pid=99&lo=0&hi=4096&width=10", undefined, 404, /no process 99/],
    ["GET", "/api/page?pid=1", undefined, 400, /missing parameter addr/],
    ["GET", "/api/page?pid=1&addr=0x1000000000000000", undefined, 400, /addr/],
    ["GET", "/api/frame?pfn=-1", undefined, 400, /pfn/],
    ["GET", "/api/frame?pfn=999999999", undefined, 400, /pfn/],
    ["GET", "/api/smaps?pid=1&addr=0", undefined, 404, /no VMA/],
    ["GET", "/nope", undefined, 404, /no such resource/],
    ["POST", "/api/command", "{", 400, /not JSON/],
    ["POST", "/api/command", "[1]", 400, /JSON object/],
    ["POST", "/api/command", '{"line": 5}', 400, /expected/],
    ["POST", "/api/command", JSON.stringify({ line: "a\nb" }), 400, /one command line/],
    ["POST", "/api/replay", '{"action":"next"}', 400, /no transcript/],
    ["POST", "/api/replay", '{"action":"jump"}', 400, /expected/],
    ["DELETE", "/api/state", undefined, 405, /not allowed/],
  ];
  for (const [method, path, body, status, re] of cases) {
    const r = await app.handle(new Request(`http://127.0.0.1${path}`, { method, body }));
    assert.equal(r.status, status, `${method} ${path}`);
    const j = await r.json();
    assert.deepEqual(Object.keys(j), ["error"]);
    assert.match(j.error, re);
  }
  // A malformed command is the REPL's error line, not a failed request.
  const r = await post(app, "/api/command", JSON.stringify({ line: "mmap(" }));
  assert.equal(r.status, 200);
  assert.match(r.body.output[0], /^error at column 6/);
  assert.equal((await get(app, "/api/state")).status, 200);
});

Deno.test("replay: each step is the state of a fresh session after that many commands", async () => {
  const file = "scripts/labs/01-vma-split-merge.mm";
  const text = await Deno.readTextFile(new URL(`../../${file}`, import.meta.url));
  const app = new WebApp({ replay: { file, text } });
  const t = parseTranscript(text);
  const cmds = t.blocks.flatMap((b) => (b.kind === "command" ? [b] : []));
  const machineState = (s: Session) => {
    const { seq: _seq, ...rest } = stateJson(s.machine, s.pid, s.prompt(), 0);
    return rest;
  };
  const fresh = async (n: number) => {
    const s = sessionFor(t);
    for (const c of cmds.slice(0, n)) await s.run(c.input);
    return machineState(s);
  };
  let r = (await post(app, "/api/replay", '{"action":"next"}')).body;
  assert.equal(r.step, 1);
  assert.equal(r.total, cmds.length);
  assert.deepEqual(r.last.output, cmds[0].expected);
  r = (await post(app, "/api/replay", '{"action":"goto","step":4}')).body;
  assert.equal(r.step, 4);
  assert.deepEqual(machineState(app.session), await fresh(4));
  r = (await post(app, "/api/replay", '{"action":"prev"}')).body;
  assert.equal(r.step, 3);
  assert.deepEqual(r.last.output, cmds[2].expected);
  assert.deepEqual(machineState(app.session), await fresh(3));
  const bad = await post(app, "/api/replay", `{"action":"goto","step":${cmds.length + 1}}`);
  assert.equal(bad.status, 400);
  r = (await post(app, "/api/replay", '{"action":"goto","step":0}')).body;
  assert.equal(r.last, null);
  assert.equal((await post(app, "/api/replay", '{"action":"prev"}')).status, 400);
});

Deno.test("events: an update after every command", async () => {
  const app = new WebApp();
  const r = await app.handle(new Request("http://127.0.0.1/api/events"));
  assert.equal(r.headers.get("content-type"), "text/event-stream");
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  assert.equal((await reader.read()).value, 'event: update\ndata: {"seq":0}\n\n');
  await run(app, MAP);
  assert.equal((await reader.read()).value, 'event: update\ndata: {"seq":1}\n\n');
  await reader.cancel();
});

Deno.test("the page: one HTML document with its script inlined", async () => {
  const r = await new WebApp().handle(new Request("http://127.0.0.1/"));
  assert.equal(r.status, 200);
  const html = await r.text();
  assert.match(html, /^<!doctype html>/);
  assert.ok(!html.includes("/*CLIENT_JS*/"));
  assert.ok(html.includes('new EventSource("/api/events")'));
});

Deno.test("replay: a lab's `!= ` answers are not shown with its steps", async () => {
  const file = "scripts/labs/05-sigbus-past-eof.mm";
  const text = await Deno.readTextFile(new URL(`../../${file}`, import.meta.url));
  assert.match(text, /^!= /m);
  const app = new WebApp({ replay: { file, text } });
  const shown: string[] = [];
  for (;;) {
    const r = await post(app, "/api/replay", '{"action":"next"}');
    if (r.status !== 200) break;
    shown.push(...r.body.last.text, ...(r.body.next?.text ?? []));
  }
  assert.ok(shown.some((l) => l.startsWith("? ")), "the questions are shown");
  assert.deepEqual(shown.filter((l) => l.startsWith("!= ")), []);
});
