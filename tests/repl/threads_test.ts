/**
 * Threads in the REPL: the prompt and `@TID`/`@PID.TID`, a blocked call's
 * `<unfinished ...>` line and its `[pid TID] <... NAME resumed>` end,
 * `sleep` and `wait`, and what a thread command does where threads do not
 * run (the host backend).
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { complete } from "../../repl/complete.ts";
import { WaitQueue } from "../../mod.ts";
import type { Backend } from "../../repl/backend.ts";

async function run(s: Session, line: string): Promise<string[]> {
  return (await s.run(line)).output;
}

/** The lines after the three pthread_create() prints. */
async function withThread(): Promise<Session> {
  const s = new Session();
  const out = await run(s, "t = pthread_create()");
  assert.match(out[2], /^clone3\(\{flags=CLONE_VM\|.*=> \{parent_tid=\[2\]\}, 88\) = 2$/);
  return s;
}

Deno.test("repl threads: the prompt shows PID.TID in a thread; @TID and @PID.TID reach it", async () => {
  const s = await withThread();
  assert.equal(s.prompt(), "[1] mm> ");
  assert.deepEqual(await run(s, "@t gettid()"), ["= 2"]);
  assert.deepEqual(await run(s, "@1.2 gettid()"), ["= 2"]);
  assert.deepEqual(await run(s, "@1.2"), []);
  assert.equal(s.prompt(), "[1.2] mm> ");
  assert.deepEqual(await run(s, "getpid()"), ["= 1"]);
  assert.deepEqual(await run(s, "@1"), []);
  assert.equal(s.prompt(), "[1] mm> ");
  assert.match((await run(s, "@1.7 gettid()"))[0], /process 1 has no thread 7/);
  assert.match((await run(s, "@1.x gettid()"))[0], /bad thread "x"/);
  assert.deepEqual(await run(s, "fork()"), ["= 3"]);
  assert.match((await run(s, "@3.2 gettid()"))[0], /process 3 has no thread 2/);
});

Deno.test("repl threads: a blocked call prints one line, the prompt comes back, its end is marked", async () => {
  const s = await withThread();
  assert.deepEqual(await run(s, "@t r = nanosleep({tv_sec=0, tv_nsec=5000})"), [
    "<unfinished ...> (thread 2 sleeps in hrtimer_nanosleep)",
  ]);
  // The thread cannot run anything else meanwhile; views still work.
  assert.match(
    (await run(s, "@t gettid()"))[0],
    /thread 2 is asleep in hrtimer_nanosleep; wait 2 lets it finish/,
  );
  assert.deepEqual((await run(s, "threads")).slice(1), [
    "    1     1 Rl   -                    prog",
    "    1     2 Sl   hrtimer_nanosleep    prog",
  ]);
  assert.deepEqual(await run(s, "wait t"), [
    "[pid 2] <... nanosleep resumed> = 0",
    "(0.000005000s passed)",
  ]);
  assert.equal(s.vars.get("r"), 0n, "the variable is set when the call ends");
  assert.deepEqual(await run(s, "wait t"), ["(thread 2 is not blocked)"]);
  assert.deepEqual(await run(s, "wait"), ["(nothing to wait for: no timer is armed)"]);
});

Deno.test("repl threads: sleep fires what falls due, in order; a bad duration is one error line", async () => {
  const s = await withThread();
  await run(s, "u = clone(CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD)");
  await run(s, "@t nanosleep({tv_sec=0, tv_nsec=300000000})");
  await run(s, "@u nanosleep({tv_sec=0, tv_nsec=100000000})");
  assert.deepEqual(await run(s, "sleep 50ms"), []);
  assert.deepEqual(await run(s, "sleep 1s"), [
    "[pid 3] <... nanosleep resumed> = 0",
    "[pid 2] <... nanosleep resumed> = 0",
  ]);
  const bad = await s.run("sleep 5 minutes");
  assert.equal(bad.output.length, 1);
  assert.ok(bad.error !== undefined);
  assert.match((await run(s, "sleep 10x"))[0], /"10x" is not a duration; write 1s/);
});

Deno.test("repl threads: the calling thread's own block, and a call woken by nothing", async () => {
  const s = await withThread();
  assert.deepEqual(await run(s, "nanosleep({tv_sec=1, tv_nsec=0})"), [
    "<unfinished ...> (thread 1 sleeps in hrtimer_nanosleep)",
  ]);
  assert.match((await run(s, "getpid()"))[0], /thread 1 is asleep/);
  assert.deepEqual(await run(s, "wait 1"), [
    "<... nanosleep resumed> = 0",
    "(1.000000000s passed)",
  ]);
  // A sleep no timer ends (a userfault will be one): wait says so and returns.
  const m = s.machine;
  const t = m.task(2)!;
  m.sched.sleep(t, new WaitQueue("test"), "handle_userfault", "S", {
    name: "read",
    finish: () => ({ ret: 0 }),
    cancel: () => {},
  });
  assert.deepEqual(await run(s, "wait 2"), [
    "(thread 2 sleeps in handle_userfault; no timer will wake it)",
  ]);
});

Deno.test("repl threads: exit ends the thread; exit_group ends them all, its sleeper's call ends with ?", async () => {
  const s = await withThread();
  await run(s, "@t");
  assert.deepEqual(await run(s, "exit(4)"), [
    "= ?",
    "+++ exited with 4 +++",
    "now in thread 1 of process 1",
  ]);
  assert.equal(s.prompt(), "[1] mm> ");
  assert.match((await run(s, "@2"))[0], /no process 2/);
  const u = await run(s, "pthread_create()");
  assert.match(u[2], /= 3$/);
  await run(s, "@3 nanosleep({tv_sec=9, tv_nsec=0})");
  assert.deepEqual(await run(s, "exit_group(1)"), [
    "= ?",
    "+++ exited with 1 +++",
    "[pid 3] <... nanosleep resumed> = ?",
    "[pid 3] +++ exited with 1 +++",
    "no process is left alive (ps, meminfo, dmesg and policy still work)",
  ]);
});

Deno.test("repl threads: where threads do not run, their commands say so", async () => {
  const host: Backend = {
    name: "host",
    machine: undefined,
    policies: () => ({}),
    processes: () => [{ pid: 1, ppid: 0, alive: true }],
    syscall: () => Promise.reject(new Error("not reached")),
    access: () => Promise.reject(new Error("not reached")),
    takeEvents: () => [],
  };
  const s = new Session({ backend: host });
  for (
    const [line, what] of [
      ["pthread_create()", "pthread_create"],
      ["clone(CLONE_VM)", "clone"],
      ["nanosleep({tv_sec=1, tv_nsec=0})", "nanosleep"],
      ["threads", "threads"],
      ["sleep 1s", "sleep"],
    ]
  ) {
    assert.deepEqual(await run(s, line), [`(host: ${what} is not run on the host)`], line);
  }
});

Deno.test("repl threads: status counts threads; a leader gone before its threads leaves no Vm lines", async () => {
  const s = await withThread();
  const st = await run(s, "status");
  assert.equal(st[st.length - 1], "Threads:\t2");
  assert.ok(st[0].startsWith("VmSize:"));
  await run(s, "exit(0)");
  assert.equal(s.prompt(), "[1.2] mm> ");
  assert.deepEqual(await run(s, "status"), ["Threads:\t2"]);
  assert.deepEqual((await run(s, "ps")).slice(1), [
    "    1     0 Zl        0     0 prog",
  ]);
});

Deno.test("repl threads: @ completes threads after processes; @PID.TID lines complete their command", async () => {
  const s = await withThread();
  assert.deepEqual(complete(s, "@"), [["@1", "@2", "@t"], "@"]);
  assert.deepEqual(complete(s, "@1.2 thr"), [["threads"], "thr"]);
});
