/**
 * fork(2): kernel/fork.c kernel_clone() -> copy_process(): a new task with
 * a copy of the parent's address space (copy_mm() -> dup_mmap(), in
 * lib/mm/fork.ts), its open files (copy_files()) and its signal
 * dispositions (copy_sighand()).
 * @module
 */

import { Process } from "./process.ts";
import { dupMmap } from "../mm/fork.ts";

/** fork(): returns the child's pid to the parent. */
export function sysFork(p: Process): number {
  const m = p.machine;
  const childMm = m.newMm();
  const child = new Process(m, m.allocPid(), p.pid, p.comm, childMm);
  const err = dupMmap(p, childMm);
  if (err) return err;
  for (let fd = 0; fd < p.fds.length; fd++) {
    const f = p.fds[fd];
    if (f !== undefined) {
      f.refs++;
      child.fds[fd] = f;
    }
  }
  for (const [s, d] of p.dispositions) child.dispositions.set(s, d);
  child.rlim = p.rlim.map(([c, m]) => [c, m]); // copy_signal(): the limits
  p.children.push(child.pid);
  m.adopt(child);
  m.events.emit({ kind: "fork", pid: p.pid, child: child.pid });
  return child.pid;
}
