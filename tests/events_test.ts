import assert from "node:assert/strict";
import { cpuWrite, EventLog, Machine, syscall } from "../mod.ts";
import { VirtualClock } from "../lib/util/clock.ts";

const PRIV_ANON = 0x22n;

Deno.test("events: a fault, a fork, an exit and a log line arrive in order, stamped", () => {
  const m = new Machine({ defaultDisposition: "default" });
  const from = m.events.end;
  const p = m.init;
  const child = syscall(p, "fork", []).ret;
  m.dmesg.log("info", "hello");
  const a = syscall(p, "mmap", [0n, 4096n, 1n, PRIV_ANON, -1n, 0n]).ret;
  cpuWrite(p, a, new Uint8Array([1]));
  const { events, lost } = m.events.since(from);
  assert.equal(lost, 0);
  assert.deepEqual(events.map((e) => e.kind), ["fork", "dmesg", "signal", "exit"]);
  const [fork, log, sig, exit] = events;
  assert.ok(fork.kind === "fork" && fork.pid === 1 && fork.child === child);
  assert.ok(log.kind === "dmesg" && log.text === "hello" && log.level === "info");
  assert.ok(sig.kind === "signal" && sig.pid === 1 && sig.info.signo === 11);
  assert.equal(sig.kind === "signal" && sig.info.addr, a);
  assert.ok(exit.kind === "exit" && exit.status.signal === 11 && exit.status.core === true);
  assert.deepEqual(events.map((e) => e.seq), [from, from + 1, from + 2, from + 3]);
  // Time only moves forward, by modelled costs.
  assert.ok(events.every((e, i) => i === 0 || e.ns >= events[i - 1].ns));
  assert.ok(exit.ns > fork.ns);
});

Deno.test("events: readers keep their own cursors; a reader at the end sees only what follows", () => {
  const m = new Machine();
  const a = m.events.end;
  m.dmesg.log("info", "one");
  const b = m.events.end;
  m.dmesg.log("info", "two");
  assert.deepEqual(m.events.since(a).events.map((e) => e.kind === "dmesg" && e.text), [
    "one",
    "two",
  ]);
  const batch = m.events.since(b);
  assert.deepEqual(batch.events.map((e) => e.kind === "dmesg" && e.text), ["two"]);
  assert.equal(batch.next, m.events.end);
  assert.deepEqual(m.events.since(batch.next).events, []);
});

Deno.test("events: the log is bounded; a reader that fell behind is told how many it lost", () => {
  const log = new EventLog(new VirtualClock(), 8);
  for (let i = 0; i < 20; i++) log.emit({ kind: "dmesg", level: "info", text: `${i}` });
  assert.equal(log.end, 20);
  const r = log.since(0);
  assert.ok(r.lost > 0);
  assert.equal(r.lost + r.events.length, 20);
  assert.equal(r.events.at(-1)!.seq, 19);
  assert.deepEqual(r.events.map((e) => e.seq), r.events.map((_, i) => r.lost + i));
});

Deno.test("events: two machines in one process keep separate logs", () => {
  const m1 = new Machine(), m2 = new Machine();
  const e1 = m1.events.end, e2 = m2.events.end;
  m1.dmesg.log("info", "only m1");
  assert.equal(m1.events.since(e1).events.length, 1);
  assert.equal(m2.events.since(e2).events.length, 0);
});
