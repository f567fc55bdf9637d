/**
 * The scheduler, wait queues and timers (lib/sched) and the blocking call
 * built on them (nanosleep, lib/time/nanosleep.ts): sleeps and wakes, timer
 * order, the same interleaving from the same input, and sleepers whose
 * process dies.
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  CLONE_FLAG_NAMES,
  Machine,
  type MachineEvent,
  syscall,
  syscallIn,
  type Task,
  TimerQueue,
  WaitQueue,
} from "../../mod.ts";
import { VirtualClock } from "../../lib/util/clock.ts";

const F = Object.fromEntries(CLONE_FLAG_NAMES) as Record<string, number>;
const THREAD = F.CLONE_VM | F.CLONE_FS | F.CLONE_FILES | F.CLONE_SIGHAND | F.CLONE_THREAD;

/** A timespec literal, as the REPL's {tv_sec=..., tv_nsec=...} passes it. */
function ts(sec: number, nsec: number) {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setBigInt64(0, BigInt(sec), true);
  dv.setBigInt64(8, BigInt(nsec), true);
  return { value: 0n, literal: b };
}

function resumes(m: Machine, from: number): string[] {
  return m.events.since(from).events.filter((e): e is Extract<MachineEvent, { kind: "resume" }> =>
    e.kind === "resume"
  ).map((e) => `${e.tid}:${e.call}=${e.ret === null ? "?" : e.ret}@${e.ns}`);
}

function threads(m: Machine, n: number): Task[] {
  return Array.from({ length: n }, () => m.task(syscall(m.init, "clone", [THREAD]).ret)!);
}

Deno.test("timers: soonest first; equal expiries fire in start order", () => {
  const clock = new VirtualClock();
  const q = new TimerQueue(clock);
  const fired: string[] = [];
  q.start(30, "c", () => fired.push(`c@${clock.ns}`));
  q.start(10, "a", () => fired.push(`a@${clock.ns}`));
  q.start(30, "d", () => fired.push(`d@${clock.ns}`));
  q.start(10, "b", () => fired.push(`b@${clock.ns}`));
  const gone = q.start(20, "x", () => fired.push("x"));
  assert.ok(q.cancel(gone));
  assert.ok(!q.cancel(gone), "a cancelled timer is not armed");
  while (q.fireOne(25));
  assert.deepEqual(fired, ["a@10", "b@10"]);
  while (q.fireOne(100));
  assert.deepEqual(fired, ["a@10", "b@10", "c@30", "d@30"]);
  assert.equal(clock.ns, 30, "firing moves the clock to each expiry, not past it");
});

Deno.test("wait queues: one queue per sleeper at a time; wake_up_all is FIFO", () => {
  const m = new Machine();
  const [a, b, c] = threads(m, 3);
  const wq = new WaitQueue("test");
  const call = (name: string) => ({ name, finish: () => ({ ret: 7 }), cancel: () => {} });
  const tokens = [c, a, b].map((t) => m.sched.sleep(t, wq, "test_wait", "D", call("read")));
  assert.deepEqual(wq.waiters, [c, a, b]);
  assert.equal(a.state, "disk");
  assert.throws(() => new WaitQueue("other").add(a), /already sleeps/);
  assert.deepEqual(checkInvariants(m), []);
  const from = m.events.end;
  assert.equal(m.sched.wakeAll(wq), 3);
  assert.ok(wq.empty);
  m.sched.run();
  const got = m.events.since(from).events.map((e) => e.kind === "resume" ? e.token : -1);
  assert.deepEqual(got, tokens, "woken tasks finish in wake order");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("nanosleep: blocks in hrtimer_nanosleep; the timer wakes it; virtual time only", () => {
  const m = new Machine();
  const [t] = threads(m, 1);
  const r = syscallIn(t, "nanosleep", [ts(1, 500)]);
  assert.ok(r.pending !== undefined);
  assert.equal(t.state, "sleeping");
  assert.equal(t.wchan, "hrtimer_nanosleep");
  assert.deepEqual(checkInvariants(m), []);
  const start = m.clock.ns;
  const from = m.events.end;
  m.sched.advanceTo(start + 1_000_000_000);
  assert.deepEqual(resumes(m, from), [], "not yet");
  m.sched.advanceTo(start + 2_000_000_000);
  const due = start + 1_000_000_500;
  assert.deepEqual(resumes(m, from), [`${t.tid}:nanosleep=0@${due}`]);
  assert.equal(t.state, "running");
  assert.equal(t.wchan, null);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("nanosleep: EFAULT, EINVAL, and a zero sleep returns at once", () => {
  const m = new Machine();
  const p = m.init;
  assert.equal(syscall(p, "nanosleep", [0]).ret, -14);
  assert.equal(syscall(p, "nanosleep", [ts(-1, 0)]).ret, -22);
  assert.equal(syscall(p, "nanosleep", [ts(0, 1_000_000_000)]).ret, -22);
  assert.equal(syscall(p, "nanosleep", [ts(0, -1)]).ret, -22);
  const r = syscall(p, "nanosleep", [ts(0, 0)]);
  assert.deepEqual(r, { ret: 0 });
  assert.equal(p.leader.state, "running");
});

Deno.test("a timer due by the time a later call returns fires then, in the caller's line", () => {
  const m = new Machine();
  const [t] = threads(m, 1);
  syscallIn(t, "nanosleep", [ts(0, 1)]);
  const from = m.events.end;
  syscall(m.init, "getpid", []); // costs a microsecond of virtual time
  assert.equal(resumes(m, from).length, 1);
  assert.equal(t.state, "running");
});

/** Three threads sleeping different times, a fork, more sleeps: the resume order. */
function scenario(): string[] {
  const m = new Machine({ seed: 5 });
  const [a, b, c] = threads(m, 3);
  const from = m.events.end;
  syscallIn(c, "nanosleep", [ts(0, 3000)]);
  syscallIn(a, "nanosleep", [ts(0, 5000)]);
  syscallIn(b, "nanosleep", [ts(0, 3000)]);
  syscall(m.init, "fork", []);
  m.sched.advanceTo(m.clock.ns + 4000);
  syscallIn(c, "nanosleep", [ts(0, 100)]);
  m.sched.advanceTo(m.clock.ns + 10_000);
  return resumes(m, from);
}

Deno.test("scheduler: the same input gives the same interleaving, always", () => {
  const first = scenario();
  assert.equal(first.length, 4);
  // c (4) fires inside the fork (its cost reaches the expiry), then b (3) and a (2); c again.
  assert.deepEqual(first.map((r) => r.split(":")[0]), ["4", "3", "2", "4"]);
  for (let i = 0; i < 5; i++) assert.deepEqual(scenario(), first);
});

Deno.test("a sleeper whose process exits or is killed: its call ends with no result, its timer goes", () => {
  const m = new Machine();
  const [a, b] = threads(m, 2);
  syscallIn(a, "nanosleep", [ts(5, 0)]);
  syscallIn(b, "nanosleep", [ts(7, 0)]);
  assert.equal(m.sched.timers.armed.length, 2);
  const from = m.events.end;
  syscall(m.init, "exit_group", [0]);
  assert.deepEqual(
    resumes(m, from).map((r) => r.split("@")[0]),
    [`${a.tid}:nanosleep=?`, `${b.tid}:nanosleep=?`],
  );
  assert.equal(m.sched.timers.armed.length, 0);
  assert.ok(!a.alive && a.waitQueue === null && a.blocked === null);
  assert.deepEqual(checkInvariants(m), []);
  // Time passing afterwards changes nothing.
  m.sched.advanceTo(m.clock.ns + 10e9);
  assert.deepEqual(resumes(m, from).length, 2);
});

Deno.test("a woken call may sleep again under its token (a retried fault); keyed wakes pick waiters", () => {
  const m = new Machine();
  const [a, b] = threads(m, 2);
  const wq = new WaitQueue("uffd");
  const addr = new Map<number, number>([[a.tid, 0x1000], [b.tid, 0x5000]]);
  let tries = 0;
  const call = {
    name: "read",
    finish: (): { ret: number } | null => {
      if (++tries < 2) {
        m.sched.sleep(a, wq, "handle_userfault", "S", call, token);
        return null;
      }
      return { ret: 1 };
    },
    cancel: () => {},
  };
  const token = m.sched.sleep(a, wq, "handle_userfault", "S", call);
  m.sched.sleep(b, wq, "handle_userfault", "S", { ...call, finish: () => ({ ret: 2 }) });
  const from = m.events.end;
  // Wake only the waiter whose address is in [0, 0x2000).
  assert.equal(m.sched.wakeIf(wq, (t) => addr.get(t.tid)! < 0x2000), 1);
  m.sched.run();
  assert.equal(a.state, "sleeping", "it slept again");
  assert.deepEqual(wq.waiters, [b, a]);
  assert.deepEqual(resumes(m, from), []);
  assert.deepEqual(checkInvariants(m), []);
  m.sched.wakeAll(wq);
  m.sched.run();
  const ends = m.events.since(from).events.flatMap((e) =>
    e.kind === "resume" ? [`${e.tid}:${e.token}=${e.ret}`] : []
  );
  assert.deepEqual(ends, [`${b.tid}:${token + 1}=2`, `${a.tid}:${token}=1`]);
  assert.deepEqual(checkInvariants(m), []);
});
