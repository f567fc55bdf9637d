/**
 * Random sequences of thread operations (clone, a thread's exit, nanosleep,
 * virtual time passing, writes from a thread, fork, exit_group, a fatal
 * fault): every invariant after every step (tasks on exactly one wait
 * queue while asleep, zombies not runnable, mm users), and the same
 * sequence run twice gives the same event log (the same interleaving).
 */
import fc from "fast-check";
import assert from "node:assert/strict";
import {
  checkInvariants,
  CLONE_FLAG_NAMES,
  cpuWrite,
  Machine,
  type Process,
  syscall,
  syscallIn,
  type Task,
} from "../../mod.ts";

const F = Object.fromEntries(CLONE_FLAG_NAMES) as Record<string, number>;
const THREAD = F.CLONE_VM | F.CLONE_FS | F.CLONE_FILES | F.CLONE_SIGHAND | F.CLONE_THREAD;
const BASE = 0x7f0000000000;

type Op =
  | { k: "clone" }
  | { k: "exit"; i: number }
  | { k: "sleep"; i: number; us: number }
  | { k: "pass"; us: number }
  | { k: "write"; i: number; ro: boolean }
  | { k: "fork" }
  | { k: "group"; i: number }
  | { k: "fatal" }
  | { k: "switch"; i: number };

const i = fc.nat({ max: 7 });
const us = fc.integer({ min: 0, max: 40 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant("clone" as const) }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant("exit" as const), i }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("sleep" as const), i, us }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant("pass" as const), us }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("write" as const), i, ro: fc.boolean() }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("fork" as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("group" as const), i }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("fatal" as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("switch" as const), i }), weight: 1 },
);

const seen: Record<string, number> = {};

function runnable(p: Process): Task[] {
  return p.threads.filter((t) => t.state === "running");
}

function step(m: Machine, cur: Process, o: Op): Process {
  const pick = (ts: Task[], n: number) => ts.length === 0 ? undefined : ts[n % ts.length];
  const note = (k: string) => (seen[k] = (seen[k] ?? 0) + 1);
  const t = pick(runnable(cur), "i" in o ? o.i : 0);
  if (!cur.alive) return m.init.alive ? m.init : cur;
  switch (o.k) {
    case "clone":
      if (cur.threads.length < 5 && t && syscallIn(t, "clone", [THREAD]).ret > 0) note("clone");
      break;
    case "exit":
      if (t) syscallIn(t, "exit", [o.i]), note(t.leader ? "exit-leader" : "exit");
      break;
    case "sleep": {
      if (!t) break;
      const b = new Uint8Array(16);
      new DataView(b.buffer).setBigInt64(8, BigInt(o.us * 1000), true);
      if (syscallIn(t, "nanosleep", [{ value: 0n, literal: b }]).pending) note("blocked");
      break;
    }
    case "pass":
      m.sched.advanceTo(m.clock.ns + o.us * 1000);
      break;
    case "write":
      if (t) m.runIn(t, () => cpuWrite(cur, BASE + (o.ro ? 4096 : 0), new Uint8Array([1])));
      break;
    case "fork":
      if (m.procs.size < 5 && t) note(syscallIn(t, "fork", []).ret > 0 ? "fork" : "fork-failed");
      break;
    case "group": {
      // Another process than init, if there is one: all its threads end.
      const others = [...m.procs.values()].filter((p) => p.alive && p.pid !== 1);
      const q = others[o.i % Math.max(1, others.length)];
      const u = q && pick(runnable(q), o.i);
      if (u) syscallIn(u, "exit_group", [o.i]), note("exit_group");
      break;
    }
    case "fatal":
      if (t && cur.pid !== 1) {
        syscall(cur, "signal", [11, 0]);
        m.runIn(t, () => cpuWrite(cur, BASE + 4096, new Uint8Array([1])));
        note("fatal");
      }
      break;
    case "switch": {
      const live = [...m.procs.values()].filter((p) => p.alive);
      return live.length === 0 ? cur : live[o.i % live.length];
    }
  }
  if (!cur.alive) {
    const live = [...m.procs.values()].filter((p) => p.alive);
    return live[0] ?? cur;
  }
  return cur;
}

function play(ops: Op[], check: boolean): string[] {
  const m = new Machine({ ramBytes: 32 << 20 });
  // One writable page, one read-only page.
  syscall(m.init, "mmap", [BASE, 4096, 3, 0x32, -1, 0]);
  syscall(m.init, "mmap", [BASE + 4096, 4096, 1, 0x32, -1, 0]);
  let cur = m.init;
  ops.forEach((o, n) => {
    cur = step(m, cur, o);
    if (check) assert.deepEqual(checkInvariants(m), [], `step ${n}: ${JSON.stringify(o)}`);
  });
  // Every process ends while its sleepers still sleep; then their timers would have fired.
  for (const p of [...m.procs.values()].reverse()) {
    const t = p.alive ? runnable(p)[0] : undefined;
    if (t !== undefined) syscallIn(t, "exit_group", [0]);
  }
  if (check) assert.deepEqual(checkInvariants(m), [], "after every exit_group");
  m.sched.advanceTo(m.clock.ns + 1e9);
  if (check) assert.deepEqual(checkInvariants(m), [], "after the last timers");
  return m.events.since(0).events.map((e) => JSON.stringify(e));
}

Deno.test("threads: invariants after every step; the same operations give the same interleaving", () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 50 }), (ops) => {
      const a = play(ops, true);
      assert.deepEqual(play(ops, false), a);
    }),
    { numRuns: 150, seed: 9 },
  );
  for (const k of ["clone", "exit", "blocked", "fork", "exit_group", "fatal"]) {
    assert.ok((seen[k] ?? 0) > 0, `no ${k}: ${JSON.stringify(seen)}`);
  }
});
