import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { colours } from "../../repl/colour.ts";
import { startInteractive } from "../../repl/interactive.ts";
import { LineHistory, unclosed } from "../../repl/line_habits.ts";
import { commandPager, type Pager, pagerArgv } from "../../repl/pager.ts";
import { FileRecording } from "../../repl/record_file.ts";
import { Session } from "../../repl/session.ts";
import { replayText } from "../../repl/transcript/replay.ts";
import { InterruptToken } from "../../repl/interrupt.ts";
import { SessionHabits } from "../../repl/habits.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));
const ANON = "PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0";

/** The REPL on in-memory streams, as a terminal. */
function repl(ramBytes = 64 << 20, pager?: Pager) {
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (d) => (text += d.toString()));
  const session = new Session({ config: { ramBytes } });
  const done = startInteractive({
    session,
    input,
    output,
    terminal: true,
    historyFile: null,
    colours: colours(false),
    ...(pager === undefined ? {} : { pager, rows: () => 10 }),
  });
  const type = async (s: string) => {
    for (const k of s) {
      input.write(k);
      await tick();
    }
  };
  /** The output with readline's cursor moves taken out. */
  // Terminal control sequences are what is being removed.
  // deno-lint-ignore no-control-regex
  const plain = () => text.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replaceAll("\r", "");
  return { input, plain, session, done, type };
}

Deno.test("_ is the last value, errno the last failed call's error; a variable wins", async () => {
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  assert.match((await s.run("_")).output[0], /unknown name _/);
  await s.run("6 * 7");
  assert.deepEqual((await s.run("_ + 1")).output, ["= 43 (0x2b)"]);
  assert.deepEqual((await s.run("munmap(1, 4K)")).output, ["= -1 EINVAL (Invalid argument)"]);
  assert.deepEqual((await s.run("errno == 22")).output, ["= 1"]);
  // Like C's errno, a call that succeeds leaves it alone.
  await s.run("getpid()");
  assert.deepEqual((await s.run("errno")).output, ["= 22 (0x16)"]);
  assert.deepEqual((await s.run("_")).output, ["= 22 (0x16)"]);
  await s.run("errno = 5");
  assert.deepEqual((await s.run("errno")).output, ["= 5"]);
});

Deno.test("reset: a fresh machine like the first, variables gone, says so", async () => {
  const s = new Session({ config: { ramBytes: 64 << 20, seed: 3 } });
  const first = (await s.run(`a = mmap(0, 8K, ${ANON})`)).output;
  await s.run("fork()");
  await s.run("x = 1");
  const r = await s.run("reset");
  assert.match(r.output[0], /^reset: a fresh machine/);
  assert.deepEqual((await s.run(`a = mmap(0, 8K, ${ANON})`)).output, first);
  assert.match((await s.run("x")).output[0], /unknown name x/);
  assert.deepEqual((await s.run("check")).output, ["ok"]);
  assert.equal((await s.run("ps")).output.length, 2, "one process again");
});

Deno.test("record mid-session: the file carries the commands before it and replays", async () => {
  const path = await Deno.makeTempFile({ suffix: ".mm" });
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  new FileRecording(s);
  await s.run("policy thp.enabled=never");
  await s.run(`a = mmap(0, 2M, ${ANON})`);
  await s.run("poke(a, 1)");
  await s.run("munmap(1, 1)");
  await s.run("bogus here");
  const started = await s.run(`record ${path}`);
  assert.equal(
    started.output[0],
    `recording to ${path} (it starts with the 5 commands run before)`,
  );
  await s.run("c = fork()");
  await s.run("@c poke(a + 4K, 2)");
  await s.run("pages a 8K");
  await s.run("record stop");
  const text = await Deno.readTextFile(path);
  await Deno.remove(path);
  assert.match(text, /mm> policy thp\.enabled=never\n/);
  assert.doesNotMatch(text, /record/);
  assert.deepEqual(await replayText(text), { passed: 8 });
});

Deno.test("record after reset starts from the fresh machine", async () => {
  const path = await Deno.makeTempFile({ suffix: ".mm" });
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  new FileRecording(s);
  await s.run(`a = mmap(0, 8K, ${ANON})`);
  await s.run("reset");
  await s.run(`b = mmap(0, 4K, ${ANON})`);
  assert.match((await s.run(`record ${path}`)).output[0], /the 1 command run before/);
  await s.run("maps");
  await s.run("record stop");
  const text = await Deno.readTextFile(path);
  await Deno.remove(path);
  assert.doesNotMatch(text, /mm> reset|mmap\(0, 8K/);
  assert.deepEqual(await replayText(text), { passed: 2 });
});

Deno.test("line history: history numbers the lines, !! and !N recall them", () => {
  const h = new LineHistory();
  assert.deepEqual(h.expand("history"), { print: ["history: no commands yet"] });
  assert.deepEqual(h.expand("!!"), { print: ["!!: no commands yet"] });
  assert.deepEqual(h.expand("x = 1"), { line: "x = 1" });
  assert.deepEqual(h.expand("getpid()"), { line: "getpid()" });
  assert.deepEqual(h.expand("!1"), { line: "x = 1" });
  assert.deepEqual(h.expand("!!"), { line: "x = 1" });
  assert.deepEqual(h.expand("history"), {
    print: ["  1  x = 1", "  2  getpid()", "  3  x = 1", "  4  x = 1"],
  });
  assert.deepEqual(h.expand("!9"), {
    print: ["!9: no such command; history numbers them 1 to 4"],
  });
  assert.deepEqual(h.expand("(!5)"), { line: "(!5)" });
});

Deno.test("unclosed: parentheses and braces outside strings and comments", () => {
  assert.equal(unclosed("mmap(0,"), true);
  assert.equal(unclosed("mmap(0, 4K)"), false);
  assert.equal(unclosed('write(1, "(", 1)'), false);
  assert.equal(unclosed('write(1, "\\")(", 1'), true);
  assert.equal(unclosed("x = 1 # (note"), false);
  assert.equal(unclosed("f({a = 1,"), true);
});

Deno.test("interactive: !!, !N, history, a ...> continuation and an empty view", async () => {
  const r = repl();
  await r.type("6 * 7\r");
  await r.type("!!\r");
  assert.match(r.plain(), /6 \* 7\n= 42 \(0x2a\)\n(\[1\] mm> )+!!\n6 \* 7\n= 42/);
  await r.type("history\r");
  assert.match(r.plain(), / {2}1 {2}6 \* 7\n {2}2 {2}6 \* 7\n/);
  await r.type(`mmap(0,\r`);
  assert.match(r.plain(), /\.\.\.> $/);
  await r.type(`4K, ${ANON})\r`);
  assert.match(r.plain(), /= 0x7f[0-9a-f]+\n/);
  await r.type("_ == 0\r");
  assert.match(r.plain(), /_ == 0\n= 0\n/);
  await r.type("vars\r");
  assert.match(r.plain(), /\(vars: nothing to show\)\n/);
  await r.type("!3\r");
  assert.match(r.plain(), /!3\nmmap\(0, 4K, PROT_READ/);
  r.input.end();
  await r.done;
});

Deno.test("interactive: Ctrl-C drops a half-continued line", async () => {
  const r = repl();
  await r.type("mmap(0,\r");
  await r.type("\x03");
  await r.type("getpid()\r");
  assert.match(r.plain(), /getpid\(\)\n= 1\n/);
  r.input.end();
  await r.done;
});

Deno.test("repl -i FILE runs the file, then reads more lines in the same session", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/f.mm`, "x = 7\n");
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../repl/main.ts", import.meta.url).pathname,
      "-i",
      `${dir}/f.mm`,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { MMLAB_HISTORY: "", NO_COLOR: "1" },
  });
  const child = cmd.spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode("x * 6\n"));
  await w.close();
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  await Deno.remove(dir, { recursive: true });
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(text, /^\[1\] mm> x = 7\n= 7\nmmlab 0\.1\.0: /);
  assert.match(text, /= 42 \(0x2a\)/);
});

Deno.test("interactive: Ctrl-C stops a long memset where it got to; the session goes on", async () => {
  const r = repl(1 << 30);
  await r.type(`a = mmap(0, 900M, ${ANON})\r`);
  r.input.write("memset(a, 1, 900M)\r");
  await tick();
  r.input.write("\x03");
  await r.type("getpid()\r");
  await r.type("check\r");
  const out = r.plain();
  const m = /\(memset interrupted after (\d+) of 943718400 bytes; the stores before it stay\)/
    .exec(out);
  assert.ok(m !== null, out.slice(-400));
  const done = Number(m[1]);
  assert.ok(done > 0 && done < 943718400 && done % (2 << 20) === 0, `${done}`);
  assert.match(out, /getpid\(\)\n= 1\n/);
  assert.match(out, /check\nok\n/);
  // The pages stored so far are resident, the rest are not.
  const rss = (await r.session.run("status")).output.find((l) => l.startsWith("RssAnon:"));
  assert.ok(rss !== undefined);
  assert.equal(Number(/(\d+) kB/.exec(rss)![1]) * 1024 >= done, true, rss);
  r.input.end();
  await r.done;
});

Deno.test("a stepped memset prints what one access prints, fault included", async () => {
  for (const interactive of [false, true]) {
    const s = new Session({ config: { ramBytes: 64 << 20 } });
    if (interactive) s.interrupt = new InterruptToken();
    await s.run(`a = mmap(0, 5M, ${ANON})`);
    assert.deepEqual((await s.run("memset(a, 7, 5M)")).output, ["= 5242880"]);
    await s.run("munmap(a + 4M, 1M)");
    const out = (await s.run("memset(a, 7, 5M)")).output;
    assert.equal(out.at(-1), "(memset stopped after 4194304 of 5242880 bytes)", `${interactive}`);
    assert.match(out[0], /^--- SIGSEGV \{si_signo=SIGSEGV, si_code=SEGV_MAPERR/);
  }
});

Deno.test("view filters: | grep [-v] [-i], | head N, | tail N; | elsewhere is C's or", async () => {
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  const maps = (await s.run("maps")).output;
  assert.deepEqual(
    (await s.run("maps | grep libc")).output,
    maps.filter((l) => l.includes("libc")),
  );
  assert.deepEqual(
    (await s.run("maps | grep -v libc | tail 2")).output,
    maps.filter((l) => !l.includes("libc")).slice(-2),
  );
  assert.deepEqual((await s.run("maps | head 1")).output, maps.slice(0, 1));
  assert.deepEqual((await s.run("maps | grep -i VDSO")).output.length, 1);
  assert.deepEqual(
    (await s.run("smaps | grep ^Rss | head 2")).output,
    ["Rss:                   0 kB", "Rss:                   0 kB"],
  );
  assert.deepEqual((await s.run('maps | grep "vdso|vvar"')).output.length, 3);
  assert.deepEqual((await s.run("x = 1 | 2")).output, ["= 3"]);
  assert.deepEqual((await s.run('write(1, "a|grep", 6)')).output, ["= 6"]);
  // Bad filters are one clear line each; errors are never filtered away.
  assert.match((await s.run("maps | grep (")).output[0], /^error at column 8: grep: bad pattern/);
  assert.equal(
    (await s.run("maps | head x")).output[0],
    "error at column 8: head takes one count of lines; e.g. | head 5",
  );
  assert.equal(
    (await s.run("maps | grep")).output[0],
    "error at column 8: grep needs a pattern; e.g. smaps | grep Rss",
  );
  assert.match((await s.run("nosuch | grep x")).output[0], /unknown name nosuch/);
});

Deno.test("pager: output taller than the screen goes to it, shorter output does not", async () => {
  const paged: string[][] = [];
  const r = repl(64 << 20, (lines) => {
    paged.push([...lines]);
    return Promise.resolve(true);
  });
  await r.type("getpid()\r");
  await r.type("maps\r");
  await r.type("maps | head 3\r");
  assert.equal(paged.length, 1);
  assert.ok(paged[0].length > 10 && paged[0].some((l) => l.includes("[stack]")));
  assert.doesNotMatch(r.plain(), /\[stack\]/, "paged output is not printed again");
  assert.match(r.plain(), /maps \| head 3\n555555554000-/);
  r.input.end();
  await r.done;
});

Deno.test("pager: $PAGER, else less -FRX; none under NO_COLOR, CI or an empty PAGER", async () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  assert.deepEqual(pagerArgv(env({})), ["less", "-FRX"]);
  assert.deepEqual(pagerArgv(env({ PAGER: "more" })), ["sh", "-c", "more"]);
  assert.equal(pagerArgv(env({ PAGER: "" })), null);
  assert.equal(pagerArgv(env({ NO_COLOR: "1" })), null);
  assert.equal(pagerArgv(env({ CI: "true" })), null);
  const dir = await Deno.makeTempDir();
  assert.equal(await commandPager(["sh", "-c", `cat > ${dir}/out`])(["a", "b"]), true);
  assert.equal(await Deno.readTextFile(`${dir}/out`), "a\nb\n");
  assert.equal(await commandPager(["/nonexistent/pager"])(["a"]), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("interactive: Ctrl-R searches the history backwards; Enter runs the match", async () => {
  const r = repl();
  await r.type("x = 41\r");
  await r.type("y = 2\r");
  await r.type("getpid()\r");
  await r.type("\x12x");
  assert.match(r.plain(), /\(reverse-i-search\)'x': x = 41$/);
  await r.type("\r");
  assert.match(r.plain(), /x = 41\n= 41 \(0x29\)\n$|x = 41\n= 41 \(0x29\)\n\[1\] mm> $/);
  assert.equal((r.plain().match(/= 41 \(0x29\)/g) ?? []).length, 2);
  // Ctrl-R twice goes further back; Ctrl-G (or Esc) gives the line back.
  await r.type("half");
  await r.type("\x12=\x12");
  assert.match(r.plain(), /'=': y = 2$/);
  await r.type("\x07\r");
  assert.match(r.plain(), /unknown name half/);
  r.input.end();
  await r.done;
});

Deno.test("replay stops between commands on Ctrl-C and says where", async () => {
  const path = await Deno.makeTempFile({ suffix: ".mm" });
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  new FileRecording(s);
  await s.run(`record ${path}`);
  for (let i = 0; i < 5; i++) await s.run(`x${i} = ${i}`);
  await s.run("record stop");
  const text = await Deno.readTextFile(path);
  await Deno.remove(path);
  const seen: number[] = [];
  const token = new InterruptToken((_w, done, total) => {
    seen.push(done);
    assert.equal(total, 5);
    if (done === 2) token.request();
  });
  const r = await replayText(text, { interrupt: token });
  assert.equal(r.passed, 2);
  assert.ok(r.interrupted !== undefined);
  assert.match(text.split("\n")[r.interrupted.line - 1], /mm> x2 = 2$/);
  assert.deepEqual(seen, [0, 1, 2]);
  assert.deepEqual(await replayText(text, { interrupt: new InterruptToken() }), { passed: 5 });
});

Deno.test("an interrupted memset stops a recording (the file replays) and blocks a new one", async () => {
  const path = await Deno.makeTempFile({ suffix: ".mm" });
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  new FileRecording(s);
  let steps = 0;
  const token = new InterruptToken(() => {
    if (++steps === 3) token.request();
  });
  s.interrupt = token;
  await s.run(`record ${path}`);
  await s.run(`a = mmap(0, 16M, ${ANON})`);
  token.clear();
  const r = await s.run("memset(a, 1, 16M)");
  assert.deepEqual(r.output, [
    "(memset interrupted after 6291456 of 16777216 bytes; the stores before it stay)",
    `recording stopped: ${path} holds the commands before the interrupted one`,
  ]);
  assert.equal(r.interrupted, true);
  const text = await Deno.readTextFile(path);
  await Deno.remove(path);
  assert.doesNotMatch(text, /memset/);
  assert.deepEqual(await replayText(text), { passed: 1 });
  assert.deepEqual((await s.run("check")).output, ["ok"]);
  assert.match(
    (await s.run(`record ${path}`)).output[0],
    /^record: this machine cannot be rebuilt from its commands \(Ctrl-C stopped memset\(a, 1, 16M\)\); reset, then record$/,
  );
  await s.run("reset");
  assert.match((await s.run(`record ${path}`)).output[0], /^recording to /);
  await s.run("record stop");
  await Deno.remove(path);
});

Deno.test("a session too long to carry: the log gives up, record says so instead of writing", async () => {
  const h = new SessionHabits(100);
  h.ran("1", "x = 1", { output: ["= 1"] });
  assert.equal(h.log.length, 1);
  h.ran("1", "maps", { output: ["a".repeat(200)] });
  assert.equal(h.overflowed, true);
  assert.deepEqual(h.log, []);
  h.started({});
  assert.equal(h.overflowed, false);
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  new FileRecording(s);
  s.habits.overflowed = true;
  assert.match(
    (await s.run("record /tmp/never-written.mm")).output[0],
    /^record: this session printed more than 64 MiB, too much to carry into a recording; reset, then record$/,
  );
  await s.run("reset");
  assert.equal(s.habits.overflowed, false);
});

Deno.test("interactive: a failing pager is one line and the REPL goes on", async () => {
  const r = repl(64 << 20, () => Promise.reject(new Error("pager broke")));
  await r.type("maps\r");
  await r.type("getpid()\r");
  assert.match(r.plain(), /mmlab: internal error: pager broke\n/);
  assert.match(r.plain(), /getpid\(\)\n= 1\n/);
  r.input.end();
  await r.done;
});
