import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { runBatch } from "../../repl/batch.ts";

const MAP = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

async function json(s: Session, line: string): Promise<any> {
  const r = await s.run(line);
  return JSON.parse(r.output.join("\n"));
}

Deno.test("--json on a syscall: name, args, ret, errno, out, value", async () => {
  const s = new Session();
  const m = await json(s, `${MAP} --json`);
  assert.deepEqual(m.results, [{
    kind: "syscall",
    name: "mmap",
    args: [0, 16384, 3, 34, -1, 0],
    ret: 0x7ffff7fbc000,
    errno: null,
    out: null,
  }]);
  assert.equal(m.value, 0x7ffff7fbc000);
  assert.deepEqual(m.output, ["= 0x7ffff7fbc000"]);
  assert.equal(s.vars.get("a"), 0x7ffff7fbc000n, "the assignment still happens");
  const bad = await json(s, "mprotect(a, 4K, 99) --json");
  assert.equal(bad.results[0].errno, "EINVAL");
  assert.equal(bad.results[0].ret, -22);
  await s.run('poke(a, "hi")');
  const rd = await json(s, "mincore(a, 8K) --json");
  assert.deepEqual(rd.results[0].out, [1, 0]);
});

Deno.test("--json on CPU accesses: op, address, bytes asked and done, bytes loaded", async () => {
  const s = new Session();
  await s.run(MAP);
  const poke = await json(s, 'poke(a, "hi") --json');
  assert.deepEqual(poke.results, [{
    kind: "access",
    op: "write",
    addr: 0x7ffff7fbc000,
    len: 2,
    done: 2,
    bytes: null,
    faulted: false,
    waits: false,
  }]);
  const peek = await json(s, "peek(a, 2) --json");
  assert.deepEqual(peek.results[0].bytes, [104, 105]);
  // The mapping merged with the 8K anonymous VMA above it: it ends at a + 24K.
  const past = await json(s, "memset(a + 20K, 0, 8K) --json");
  assert.equal(past.results[0].done, 4096);
  assert.equal(past.results[0].faulted, true);
  assert.equal(past.events[0].signal, "SIGSEGV");
});

Deno.test("--json: signals as events, views keep their own --json, errors as data", async () => {
  const s = new Session();
  const seg = await json(s, "peek(0, 1) --json");
  assert.deepEqual(seg.events, [{
    kind: "signal",
    pid: 1,
    signo: 11,
    signal: "SIGSEGV",
    code: "SEGV_MAPERR",
    addr: 0,
  }]);
  // ps prints its rows as JSON itself.
  const ps = await json(s, "ps --json");
  assert.equal(ps[0].pid, 1);
  const err = await s.run("munmap(1, --json");
  assert.ok(err.error !== undefined);
  // The JSON, then the error's line as after any line.
  assert.match(err.output.at(-1)!, /^error at column \d+: /);
  const data = JSON.parse(err.output.slice(0, -1).join("\n"));
  assert.equal(data.error.kind, "syntax");
  assert.deepEqual(data.output, []);
  const snap = await json(s, "snapshot x --json");
  assert.deepEqual(
    snap.output,
    ["snapshot x: after 1 command"],
    "peek ran; the malformed line did not",
  );
});

Deno.test("JSON-lines batch: one object per command line, comments and blanks print nothing", async () => {
  const out: string[] = [];
  const s = new Session();
  const lines = [MAP, "", "# a comment", "poke(a, 1)", "maps a 4K", "c = fork()", "bogus(1)"];
  const r = await runBatch(lines, {
    session: s,
    source: "t",
    write: (l) => out.push(l),
    jsonl: true,
  });
  assert.equal(r.status, 1);
  const objs = out.map((l) => JSON.parse(l));
  assert.deepEqual(objs.map((o) => o.line), [
    MAP,
    "poke(a, 1)",
    "maps a 4K",
    "c = fork()",
    "bogus(1)",
  ]);
  assert.equal(objs[2].results[0].kind, "view");
  assert.equal(objs[2].results[0].data.length, 1);
  assert.equal(objs[3].value, 2);
  assert.match(objs[4].error.message, /bogus/);
});

Deno.test("deno task repl --jsonl reads a file and writes JSON lines", async () => {
  const file = await Deno.makeTempFile({ suffix: ".mm" });
  await Deno.writeTextFile(file, `${MAP}\nmunmap(a, 16K)\nmaps\n`);
  const main = `${import.meta.dirname}/../../repl/main.ts`;
  const p = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-read", "--allow-write", "--allow-env", main, "--jsonl", file],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  assert.ok(p.success, new TextDecoder().decode(p.stderr));
  const lines = new TextDecoder().decode(p.stdout).trimEnd().split("\n");
  assert.equal(lines.length, 3);
  const objs = lines.map((l) => JSON.parse(l));
  assert.equal(objs[1].results[0].name, "munmap");
  assert.equal(objs[1].results[0].ret, 0);
  assert.equal(objs[2].results[0].name, "maps");
});
