/**
 * Threads (lib/proc/task.ts, clone in lib/proc/fork.ts, exit in
 * lib/proc/exit.ts): tids from the pid space, copy_process()'s errnos in
 * its order, the tid words, exit of one thread vs exit_group, fault
 * signals aimed at the faulting thread, mm users.
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  CLONE_FLAG_NAMES,
  cpuRead,
  cpuWrite,
  Machine,
  type MachineEvent,
  PTHREAD_CLONE_FLAGS,
  syscall,
  syscallIn,
} from "../../mod.ts";

const F = Object.fromEntries(CLONE_FLAG_NAMES) as Record<string, number>;
const THREAD = F.CLONE_VM | F.CLONE_FS | F.CLONE_FILES | F.CLONE_SIGHAND | F.CLONE_THREAD;
const EINVAL = -22;
const RW = 3, ANON_PRIVATE = 0x22;

function events(m: Machine, from: number): MachineEvent[] {
  return [...m.events.since(from).events];
}

Deno.test("clone: threads take tids from the pid space; fork's pid comes after them", () => {
  const m = new Machine();
  const p = m.init;
  assert.equal(syscall(p, "clone", [THREAD]).ret, 2);
  assert.equal(syscall(p, "fork", []).ret, 3);
  assert.equal(syscall(p, "clone", [THREAD]).ret, 4);
  assert.deepEqual(p.threads.map((t) => t.tid), [1, 2, 4]);
  assert.equal(m.task(4)!.group, p);
  assert.equal(m.process(3)!.threads.length, 1, "fork copies only the calling thread");
  assert.equal(p.mm.users, 3);
  assert.equal(syscallIn(m.task(4)!, "gettid", []).ret, 4);
  assert.equal(syscallIn(m.task(4)!, "getpid", []).ret, 1);
  assert.equal(syscall(p, "gettid", []).ret, 1);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("clone: kernel_clone()'s and copy_process()'s EINVAL checks", () => {
  const rows: [string, number, number][] = [
    ["NEWNS|FS", F.CLONE_NEWNS | F.CLONE_FS, EINVAL],
    ["NEWUSER|FS", F.CLONE_NEWUSER | F.CLONE_FS, EINVAL],
    ["THREAD without SIGHAND", F.CLONE_VM | F.CLONE_THREAD, EINVAL],
    ["SIGHAND without VM", F.CLONE_SIGHAND, EINVAL],
    ["THREAD|SIGHAND without VM (the SIGHAND rule)", F.CLONE_THREAD | F.CLONE_SIGHAND, EINVAL],
    ["THREAD with NEWPID", THREAD | F.CLONE_NEWPID, EINVAL],
    ["PIDFD|DETACHED", F.CLONE_PIDFD | F.CLONE_DETACHED, EINVAL],
    ["PIDFD|PARENT_SETTID (legacy clone)", F.CLONE_PIDFD | F.CLONE_PARENT_SETTID, EINVAL],
    ["PARENT from init", F.CLONE_PARENT, EINVAL],
    ["a thread", THREAD, 2],
    ["glibc's pthread flags", PTHREAD_CLONE_FLAGS, 3],
    ["VM|SIGHAND: a process sharing the mm", F.CLONE_VM | F.CLONE_SIGHAND, 4],
    ["0: a fork", 0, 5],
  ];
  const m = new Machine();
  for (const [what, flags, want] of rows) {
    assert.equal(syscall(m.init, "clone", [flags]).ret, want, what);
  }
  // The process sharing the mm counts as one of its users; the fork has its own.
  assert.equal(m.process(4)!.mm, m.init.mm);
  assert.equal(m.init.mm.users, 4);
  assert.notEqual(m.process(5)!.mm, m.init.mm);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("clone: PARENT_SETTID stores the tid; CHILD_CLEARTID clears it at the thread's exit", () => {
  const m = new Machine();
  const p = m.init;
  const a = syscall(p, "mmap", [0, 4096, RW, ANON_PRIVATE, -1, 0]).ret;
  const word = () => new DataView(cpuRead(p, a + 8, 4).bytes!.buffer).getInt32(0, true);
  const flags = THREAD | F.CLONE_PARENT_SETTID | F.CLONE_CHILD_CLEARTID | F.CLONE_SETTLS;
  const tid = syscall(p, "clone", [flags, 0, a + 8, a + 8, 0x1234]).ret;
  const t = m.task(tid)!;
  assert.equal(t.tls, 0x1234n);
  assert.equal(word(), tid);
  syscallIn(t, "exit", [0]);
  assert.equal(word(), 0, "mm_release() cleared the word");
  // A bad parent_tid is ignored, as copy_process() ignores put_user's failure.
  assert.equal(syscall(p, "clone", [THREAD | F.CLONE_PARENT_SETTID, 0, 8, 0]).ret, 3);
});

Deno.test("exit ends one thread (reaped at once); the group ends with its last, reporting the leader's code", () => {
  const m = new Machine();
  const p = m.init;
  const t2 = m.task(syscall(p, "clone", [THREAD]).ret)!;
  const t3 = m.task(syscall(p, "clone", [THREAD]).ret)!;
  const from = m.events.end;
  syscallIn(t2, "exit", [5]);
  assert.ok(p.alive);
  assert.deepEqual(p.threads.map((t) => t.tid), [1, 3]);
  assert.equal(m.task(2), undefined);
  assert.equal(p.mm.users, 2);
  // The leader exits first: a zombie until the group ends (delay_group_leader).
  syscall(p, "exit", [7]);
  assert.ok(p.alive);
  assert.equal(p.leader.state, "zombie");
  assert.equal(p.mm.users, 1);
  assert.deepEqual(checkInvariants(m), []);
  syscallIn(t3, "exit", [9]);
  assert.ok(!p.alive);
  assert.equal(p.mm.users, 0);
  assert.deepEqual(
    events(m, from).map((e) =>
      e.kind === "thread_exit"
        ? `thread ${e.tid} ${e.status.code}`
        : e.kind === "exit"
        ? `exit ${e.pid} ${e.status.code}`
        : e.kind
    ),
    ["thread 2 5", "thread 3 9", "exit 1 7"],
  );
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("exit_group ends every thread, the others first; the group reports its code", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "clone", [THREAD]);
  const t3 = m.task(syscall(p, "clone", [THREAD]).ret)!;
  const from = m.events.end;
  syscallIn(t3, "exit_group", [4]);
  assert.ok(!p.alive);
  assert.deepEqual(p.threads.map((t) => t.tid), [1]);
  const seen = events(m, from).map((e) =>
    e.kind === "thread_exit"
      ? `t${e.tid}=${e.status.code}`
      : e.kind === "exit"
      ? `exit${e.pid}=${e.status.code}`
      : e.kind
  );
  assert.deepEqual(seen, ["t2=4", "t3=4", "exit1=4"]);
  assert.equal(p.mm.users, 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("a fault's signal goes to the faulting thread; SIG_DFL kills the whole group", () => {
  const m = new Machine();
  const p = m.init;
  const a = syscall(p, "mmap", [0, 4096, 1, ANON_PRIVATE, -1, 0]).ret;
  const t = m.task(syscall(p, "clone", [THREAD]).ret)!;
  let from = m.events.end;
  m.runIn(t, () => cpuWrite(p, a, new Uint8Array([1])));
  const sig = events(m, from).find((e) => e.kind === "signal");
  assert.ok(sig?.kind === "signal" && sig.tid === t.tid && sig.info.addr === a);
  assert.ok(p.alive, "caught by default in the REPL");
  syscall(p, "signal", [11, 0]);
  from = m.events.end;
  m.runIn(t, () => cpuWrite(p, a, new Uint8Array([1])));
  assert.ok(!p.alive);
  const kinds = events(m, from).map((e) => e.kind);
  assert.deepEqual(kinds, ["signal", "thread_exit", "exit"]);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("a call made in a process whose leader exited runs in its first live thread", () => {
  const m = new Machine();
  const p = m.init;
  const t2 = syscall(p, "clone", [THREAD]).ret;
  syscall(p, "exit", [3]);
  assert.equal(syscall(p, "gettid", []).ret, t2);
  syscall(p, "exit", [0]);
  assert.ok(!p.alive);
  assert.equal(p.exitStatus?.code, 3, "the group reports the leader's code");
});

Deno.test("prlimit64 finds a process by any of its threads' tids (find_task_by_vpid)", () => {
  const m = new Machine();
  const tid = syscall(m.init, "clone", [THREAD]).ret;
  const fork = syscall(m.init, "fork", []).ret;
  const old = { value: 0n, literal: new Uint8Array(16) };
  assert.equal(syscall(m.process(fork)!, "prlimit64", [tid, 7, 0, old]).ret, 0);
  assert.equal(syscall(m.init, "prlimit64", [99, 7, 0, old]).ret, -3);
});
