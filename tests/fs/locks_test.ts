/**
 * Leases (fs/locks.c): F_SETLEASE's errnos, F_GETLEASE, the break an open
 * makes (the holder's SIGIO or F_SETSIG signal, the opener's wait in
 * __break_lease up to fs.lease-break-time), O_NONBLOCK, giving the lease up.
 */
import assert from "node:assert/strict";
import { Machine, syscall } from "../../mod.ts";
import {
  F_GETLEASE,
  F_GETSIG,
  F_LAYOUT,
  F_RDLCK,
  F_SETLEASE,
  F_SETSIG,
  F_UNLCK,
  F_WRLCK,
  O_CREAT,
  O_NONBLOCK,
  O_RDONLY,
  O_RDWR,
} from "../../lib/abi/mman.ts";
import { EAGAIN, EINVAL } from "../../lib/abi/errno.ts";
import { SIGIO, SIGUSR1 } from "../../lib/abi/signal.ts";

function setup(): { m: Machine; fd: number } {
  const m = new Machine();
  const fd = syscall(m.init, "open", ["/tmp/f", O_RDWR | O_CREAT, 0o644]).ret;
  return { m, fd };
}

Deno.test("leases: F_SETLEASE errnos, F_GETLEASE, F_UNLCK", () => {
  const { m, fd } = setup();
  const p = m.init;
  assert.equal(syscall(p, "fcntl", [fd, F_SETLEASE, F_RDLCK]).ret, -EAGAIN); // open for writing
  assert.equal(syscall(p, "fcntl", [fd, F_SETLEASE, 7]).ret, -EINVAL);
  assert.equal(syscall(p, "fcntl", [fd, F_SETLEASE, F_UNLCK]).ret, -EAGAIN); // none held
  assert.equal(syscall(p, "fcntl", [fd, F_GETLEASE]).ret, F_UNLCK);
  assert.equal(syscall(p, "fcntl", [fd, F_SETLEASE, F_WRLCK]).ret, 0);
  assert.equal(syscall(p, "fcntl", [fd, F_GETLEASE]).ret, F_WRLCK);
  // F_LAYOUT is only the RFC's: without dax.layoutLease it is an unknown type.
  assert.equal(syscall(p, "fcntl", [fd, F_SETLEASE, F_RDLCK | F_LAYOUT]).ret, -EINVAL);
  assert.equal(syscall(p, "fcntl", [fd, F_SETLEASE, F_UNLCK]).ret, 0);
  // A second open file: no write lease.
  const fd2 = syscall(p, "open", ["/tmp/f", O_RDONLY]).ret;
  assert.equal(syscall(p, "fcntl", [fd, F_SETLEASE, F_WRLCK]).ret, -EAGAIN);
  syscall(p, "close", [fd]);
  assert.equal(syscall(p, "fcntl", [fd2, F_SETLEASE, F_RDLCK]).ret, 0);
  // Not a regular file.
  assert.equal(syscall(p, "fcntl", [0, F_SETLEASE, F_RDLCK]).ret, -EINVAL);
  assert.equal(syscall(p, "fcntl", [99, F_GETLEASE]).ret, -9);
});

Deno.test("leases: an open breaks the lease: SIGIO, the opener waits lease-break-time", () => {
  const { m, fd } = setup();
  const holder = m.init;
  assert.equal(syscall(holder, "fcntl", [fd, F_SETLEASE, F_WRLCK]).ret, 0);
  const opener = m.process(syscall(holder, "fork", []).ret)!;
  syscall(holder, "close", [fd]); // the child's copy keeps the open file (and its lease)
  assert.equal(syscall(opener, "open", ["/tmp/f", O_RDONLY | O_NONBLOCK]).ret, -EAGAIN);
  assert.deepEqual(holder.signals.map((s) => s.signo), [SIGIO]);
  // A blocking open waits (the break already started: no second signal).
  const start = m.clock.ns;
  assert.ok(syscall(opener, "open", ["/tmp/f", O_RDONLY]).pending !== undefined);
  assert.equal(opener.leader.wchan, "__break_lease");
  assert.equal(holder.signals.length, 1);
  // The holder is told the target: a read open downgrades the lease to F_RDLCK.
  assert.equal(syscall(opener, "fcntl", [fd, F_GETLEASE]).ret, F_RDLCK);
  m.sched.advanceTo(start + 44e9);
  assert.equal(opener.leader.wchan, "__break_lease");
  m.sched.advanceTo(start + 46e9);
  assert.equal(opener.leader.state, "running");
  // Downgraded, not removed.
  assert.equal(syscall(opener, "fcntl", [fd, F_GETLEASE]).ret, F_RDLCK);
});

Deno.test("leases: giving the lease up wakes the opener; F_SETSIG picks the signal", () => {
  const { m, fd } = setup();
  const holder = m.init;
  assert.equal(syscall(holder, "fcntl", [fd, F_SETSIG, SIGUSR1]).ret, 0);
  assert.equal(syscall(holder, "fcntl", [fd, F_GETSIG]).ret, SIGUSR1);
  assert.equal(syscall(holder, "fcntl", [fd, F_SETLEASE, F_WRLCK]).ret, 0);
  const opener = m.process(syscall(holder, "fork", []).ret)!;
  const r = syscall(opener, "open", ["/tmp/f", O_RDWR]);
  assert.ok(r.pending !== undefined);
  assert.deepEqual(holder.signals.map((s) => s.signo), [SIGUSR1]);
  const from = m.events.end;
  assert.equal(syscall(holder, "fcntl", [fd, F_SETLEASE, F_UNLCK]).ret, 0);
  const resumed = m.events.since(from).events.filter((e) => e.kind === "resume");
  assert.equal(resumed.length, 1);
  assert.ok(resumed[0].kind === "resume" && resumed[0].ret! >= 0);
});
