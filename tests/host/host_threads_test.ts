/**
 * The host backend's threads and its session clock, over a scripted
 * mmhost (no real process): a nanosleep that succeeds is pending until
 * the session lets its time pass; sleepers end in deadline order; a
 * sleeper whose group dies resumes with `= ?` before its exit line.
 */

import assert from "node:assert/strict";
import { SYSCALLS } from "../../mod.ts";
import type { Value } from "../../repl/commands/types.ts";
import { HostBackend } from "../../repl/host/host_backend.ts";
import type { HostServer } from "../../repl/host/protocol.ts";

/** A fake router: thread creation gives 2, 3, ...; every syscall returns 0; exit kills. */
function fakeServer(log: string[]): HostServer {
  let next = 2;
  return {
    call(vpid: number, req: string): Promise<string[]> {
      log.push(`${vpid} ${req.split(" ").slice(0, 2).join(" ")}`);
      if (req.startsWith("thread ")) return Promise.resolve([`= ${(next++).toString(16)}`]);
      if (req.startsWith("exit ")) return Promise.resolve(["exit 300"]);
      return Promise.resolve(["= 0"]);
    },
  } as unknown as HostServer;
}

const spec = (name: string) => SYSCALLS.find((s) => s.name === name)!;
const num = (v: bigint): Value => ({ type: "num", v, col: 0 });
const timespec = (sec: number, nsec: number): Value => ({
  type: "struct",
  col: 0,
  value: new Map([["tv_sec", BigInt(sec)], ["tv_nsec", BigInt(nsec)]]),
});

async function withThreads(log: string[]): Promise<HostBackend> {
  const b = new HostBackend({ server: fakeServer(log), tmpdir: "/nonexistent" });
  const clone = spec("clone");
  // pthread_create's clone3 arguments (repl/commands/threads.ts).
  const args = [0x3d0f00n, 0x7fefff7ff000n, 0x7feffffff910n, 0x7feffffff910n, 0x7feffffff640n];
  for (let i = 0; i < 2; i++) await b.syscall(1, clone, args.map(num));
  return b;
}

Deno.test("host threads: pthread_create's clone starts a host thread on the stack above the guard", async () => {
  const log: string[] = [];
  const b = await withThreads(log);
  assert.deepEqual(log.slice(0, 1), ["1 thread 7fefff800000"]);
  assert.deepEqual(b.tasks().map((t) => [t.tid, t.pid, t.alive]), [
    [1, 1, true],
    [2, 1, true],
    [3, 1, true],
  ]);
  await assert.rejects(() => b.syscall(1, spec("clone"), [num(0x100n)]), /pthread_create/);
});

Deno.test("host threads: nanosleep ends when the session's time reaches it, in deadline order", async () => {
  const b = await withThreads([]);
  const ns = spec("nanosleep");
  const r2 = await b.syscall(2, ns, [timespec(0, 50_000_000)]);
  const r3 = await b.syscall(3, ns, [timespec(0, 20_000_000)]);
  assert.equal(r2.note, "(thread 2 sleeps in hrtimer_nanosleep)");
  assert.ok(r2.pending !== undefined && r3.pending !== undefined);
  assert.deepEqual(b.tasks().map((t) => t.wchan), [
    undefined,
    "hrtimer_nanosleep",
    "hrtimer_nanosleep",
  ]);
  assert.equal(await b.passTime(10_000_000), 10_000_000);
  assert.deepEqual(b.takeEvents(), []);
  assert.equal(await b.passTime(undefined), 10_000_000);
  assert.deepEqual(b.takeEvents(), [{
    kind: "resume",
    pid: 3,
    token: r3.pending,
    result: { ret: 0 },
  }]);
  assert.equal(await b.passTime(100_000_000), 100_000_000);
  assert.deepEqual(b.takeEvents(), [{
    kind: "resume",
    pid: 2,
    token: r2.pending,
    result: { ret: 0 },
  }]);
  assert.equal(await b.passTime(undefined), null);
});

Deno.test("host threads: exit_group ends a sleeper with = ? before its exit, threads in creation order, leader last", async () => {
  const b = await withThreads([]);
  const r = await b.syscall(3, spec("nanosleep"), [timespec(1, 0)]);
  await b.syscall(2, spec("exit_group"), [num(300n)]);
  const ev = b.takeEvents().map((e) => [e.kind, e.pid, e.kind === "resume" ? e.gone : undefined]);
  assert.deepEqual(ev, [
    ["exit", 2, undefined],
    ["resume", 3, true],
    ["exit", 3, undefined],
    ["exit", 1, undefined],
  ]);
  assert.ok(r.pending !== undefined);
  assert.ok(b.tasks().every((t) => !t.alive));
});

Deno.test("host threads: a blocked call resumes at the first line after which its late reply came (settle)", async () => {
  const log: string[] = [];
  let late: string[] | undefined;
  let polls = 0;
  const server = {
    call(vpid: number, req: string): Promise<string[]> {
      log.push(`${vpid} ${req.split(" ").slice(0, 2).join(" ")}`);
      if (req.startsWith("thread ")) return Promise.resolve(["= 2"]);
      // write (1) in thread 1 wakes thread 2's read.
      if (req.startsWith("sys 1 ")) late = ["= 5"];
      return Promise.resolve(["= 0"]);
    },
    poll(): Promise<void> {
      polls++;
      return Promise.resolve();
    },
    late(vtid: number): string[] | undefined {
      const r = vtid === 2 ? late : undefined;
      late = undefined;
      return r;
    },
  } as unknown as HostServer;
  const b = new HostBackend({ server, tmpdir: "/nonexistent" });
  const args = [0x3d0f00n, 0x7fefff7ff000n, 0x7feffffff910n, 0x7feffffff910n, 0x7feffffff640n];
  await b.syscall(1, spec("clone"), args.map(num));
  // Nothing pending: no line waits.
  await b.syscall(1, spec("getpid"), []);
  assert.equal(polls, 0);
  const r = b.blockedCall(2, (lines) => ({ ret: lines[0] === "= 5" ? 5 : -1 }));
  assert.equal(typeof r.pending, "number");
  await b.syscall(1, spec("getpid"), []);
  assert.equal(polls, 1);
  assert.deepEqual(b.takeEvents(), []);
  await b.syscall(1, spec("write"), [num(4n), num(0n), num(5n)]);
  assert.deepEqual(b.takeEvents(), [{
    kind: "resume",
    pid: 2,
    token: r.pending,
    result: { ret: 5 },
  }]);
  // The reply was there after the write (no wait); resumed once, later lines no longer wait.
  await b.syscall(1, spec("getpid"), []);
  assert.equal(polls, 1);
  assert.deepEqual(b.takeEvents(), []);
});

Deno.test("host: a thread's access that blocks goes pending and resumes, bytes and all, at the line after which its late reply came", async () => {
  let late: string[] | undefined;
  const reqs: string[] = [];
  const server = {
    call(vpid: number, req: string): Promise<string[]> {
      reqs.push(`${vpid} ${req.split(" ")[0]}`);
      if (req.startsWith("thread ")) return Promise.resolve(["= 2"]);
      // A load in thread 2 blocks (a userfault); the main thread's own answers at once.
      if (req.startsWith("cpu r ")) return Promise.resolve(vpid === 2 ? ["pending"] : ["ok 0 -"]);
      // ioctl (16, 0x10) in thread 1 resolves the fault.
      if (req.startsWith("sys 10 ")) late = ["ok 1 41"];
      if (req.startsWith("cpu w ")) {
        return Promise.resolve(vpid === 2 ? ["pending"] : ["ok 1"]);
      }
      // close (3) wakes a store in thread 2, which then faults (SIGSEGV) after 1 byte.
      if (req.startsWith("sys 3 ")) late = ["sig b 2 7f0000001001 ffffffffffffffff 1"];
      return Promise.resolve(["= 0"]);
    },
    poll: () => Promise.resolve(),
    late(vtid: number): string[] | undefined {
      const r = vtid === 2 ? late : undefined;
      late = undefined;
      return r;
    },
  } as unknown as HostServer;
  const b = new HostBackend({ server, tmpdir: "/nonexistent" });
  const args = [0x3d0f00n, 0x7fefff7ff000n, 0x7feffffff910n, 0x7feffffff910n, 0x7feffffff640n];
  await b.syscall(1, spec("clone"), args.map(num));
  // The main thread's access is waited for (mmhost's main thread reads the channel).
  const main = await b.access(1, { op: "read", addr: 0x7f0000000000n, len: 1 });
  assert.ok(!("pending" in main));
  const r = await b.access(2, { op: "read", addr: 0x7f0000000005n, len: 1 });
  assert.ok("pending" in r && r.done === 0 && r.note === "(thread 2 is blocked on the host)");
  await b.syscall(1, spec("getpid"), []);
  assert.deepEqual(b.takeEvents(), []);
  await b.syscall(1, spec("ioctl"), [num(3n), num(0xc028aa03n), num(0x7f0000100000n)]);
  assert.deepEqual(b.takeEvents(), [{
    kind: "resume",
    pid: 2,
    token: r.pending,
    result: { ret: 1, data: new Uint8Array([0x41]) },
  }]);
  // A store that faults after its wait: the signal is reported with the resume.
  const w = await b.access(2, { op: "write", addr: 0x7f0000001000n, bytes: new Uint8Array(2) });
  assert.ok("pending" in w);
  await b.syscall(1, spec("close"), [num(3n)]);
  assert.deepEqual(b.takeEvents(), [
    { kind: "signal", pid: 2, info: { signo: 11, code: 2, addr: 0x7f0000001001 } },
    { kind: "resume", pid: 2, token: w.pending, result: { ret: 1 } },
  ]);
  // Nothing else went to thread 2 while its calls were due.
  assert.deepEqual(reqs.filter((x) => x.startsWith("2 ")), ["2 cpu", "2 cpu"]);
});
