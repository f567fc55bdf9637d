import assert from "node:assert/strict";
import type { SyscallSpec } from "../../mod.ts";
import type {
  Backend,
  CallResult,
  CpuOp,
  CpuResult,
  ProcView,
  SessionEvent,
} from "../../repl/backend.ts";
import type { Value } from "../../repl/commands/types.ts";
import type { ProcInfo } from "../../repl/processes.ts";
import { Session } from "../../repl/session.ts";
import { MachineBackend } from "../../repl/machine_backend.ts";

/**
 * A backend with no machine whose `pread` blocks until `complete()` is
 * called, as a thread blocked in a userfault or an I/O would; everything
 * it does is logged.
 */
class FakeBackend implements Backend {
  readonly name = "fake";
  readonly machine = undefined;
  readonly log: string[] = [];
  private events: SessionEvent[] = [];
  private nextToken = 1;
  private readonly blocked: { pid: number; token: number }[] = [];
  private readonly procs: ProcInfo[] = [{ pid: 1, ppid: 0, alive: true }];

  policies() {
    return {};
  }
  processes(): ProcInfo[] {
    return this.procs.map((p) => ({ ...p }));
  }
  syscall(pid: number, spec: SyscallSpec, args: readonly Value[]): Promise<CallResult> {
    this.log.push(`${pid} ${spec.name}/${args.length}`);
    if (spec.name === "pread") {
      const token = this.nextToken++;
      this.blocked.push({ pid, token });
      return Promise.resolve({ ret: 0, pending: token });
    }
    if (spec.name === "fork") {
      this.procs.push({ pid: 2, ppid: pid, alive: true });
      return Promise.resolve({ ret: 2 });
    }
    return Promise.resolve({ ret: -22 });
  }
  access(pid: number, op: CpuOp): Promise<CpuResult> {
    this.log.push(`${pid} ${op.op}`);
    if (op.op === "write") {
      this.events.push({
        kind: "signal",
        pid,
        info: { signo: 11, code: 1, addr: Number(op.addr) },
      });
      return Promise.resolve({ done: 0, faulted: true });
    }
    return Promise.resolve({ unsupported: "(host: not here)" });
  }
  view(pid: number, name: ProcView, range?: readonly [number, number]): Promise<string[]> {
    this.log.push(`${pid} ${name} ${range ?? "whole"}`);
    return Promise.resolve([`${name} of ${pid}`]);
  }
  takeEvents(): SessionEvent[] {
    const e = this.events;
    this.events = [];
    return e;
  }
  /** The oldest blocked call finishes with `ret` and the bytes read. */
  complete(ret: number): void {
    const b = this.blocked.shift()!;
    this.events.push({
      kind: "resume",
      pid: b.pid,
      token: b.token,
      result: { ret, data: new TextEncoder().encode("hi") },
    });
  }
}

Deno.test("session: a call that blocks prints <unfinished ...>; its end prints on a later line, as strace does", async () => {
  const b = new FakeBackend();
  const s = new Session({ backend: b });
  assert.deepEqual((await s.run("n = pread(3, 0x1000, 2, 0)")).output, ["<unfinished ...>"]);
  assert.equal(s.vars.has("n"), false);
  assert.equal(s.unfinishedCalls, 1);
  b.complete(2);
  // The next line, whatever it is, reports the completion after its own output.
  assert.deepEqual((await s.run("1 + 1")).output, ["= 2", '<... pread resumed> = 2 "hi"']);
  assert.equal(s.vars.get("n"), 2n);
  assert.equal(s.unfinishedCalls, 0);
});

Deno.test("session: another process's completion carries its [pid N] prefix", async () => {
  const b = new FakeBackend();
  const s = new Session({ backend: b });
  assert.deepEqual((await s.run("fork()")).output, ["= 2"]);
  assert.deepEqual((await s.run("@2 pread(3, 0x1000, 2, 0)")).output, ["<unfinished ...>"]);
  b.complete(-4);
  assert.deepEqual((await s.run("getpid()")).output, [
    "= -1 EINVAL (Invalid argument)",
    "[pid 2] <... pread resumed> = -1 EINTR (Interrupted system call)",
  ]);
});

Deno.test("session: without a machine, machine views are not run; maps and smaps go to the backend", async () => {
  const b = new FakeBackend();
  const s = new Session({ backend: b });
  assert.deepEqual((await s.run("pages 0x1000")).output, [
    "(host: pages is not run on the host)",
  ]);
  assert.deepEqual((await s.run("policy")).output, ["(host: policy is not run on the host)"]);
  assert.deepEqual((await s.run("maps")).output, ["maps of 1"]);
  assert.deepEqual((await s.run("smaps 0x1000 8K")).output, ["smaps of 1"]);
  assert.deepEqual(b.log, ["1 maps whole", "1 smaps 4096,12288"]);
  // CPU accesses and their signals go through the backend as well.
  assert.deepEqual((await s.run("poke(0x1000, 1)")).output, [
    "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x1000} ---",
  ]);
  assert.deepEqual((await s.run("peek(0x1000)")).output, ["(host: not here)"]);
  // Errors in the language are the session's, whatever the backend.
  assert.match((await s.run("mmap(")).output[0], /error/);
});

Deno.test("session: the machine backend reports events from the machine's log only once", async () => {
  const backend = new MachineBackend({ defaultDisposition: "default" });
  const s = new Session({ backend });
  await s.run("a = mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  const r = await s.run("poke(a, 1)");
  assert.match(r.output[0], /^--- SIGSEGV .*SEGV_ACCERR/);
  assert.match(r.output[1], /^\+\+\+ killed by SIGSEGV \(core dumped\) \+\+\+$/);
  assert.deepEqual(backend.takeEvents(), []);
  assert.equal(s.machine, backend.machine);
});

Deno.test("session: without a machine, --json views are not run (the host has no view data)", async () => {
  const b = new FakeBackend();
  const s = new Session({ backend: b });
  assert.deepEqual((await s.run("maps --json")).output, [
    "(host: maps --json is not run on the host)",
  ]);
  assert.deepEqual((await s.run("smaps 0x1000 8K --json")).output, [
    "(host: smaps --json is not run on the host)",
  ]);
  assert.deepEqual((await s.run("ps --json")).output, ["(host: ps --json is not run on the host)"]);
  assert.deepEqual(b.log, [], "nothing reached the backend");
});
