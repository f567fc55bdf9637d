/**
 * Ctrl-C for calls that populate (MAP_POPULATE, MAP_LOCKED, mlock, mlock2,
 * mlockall, MADV_POPULATE_READ/WRITE): at a prompt on a terminal the call's
 * populate runs in steps of {@link STEP_BYTES} (lib/stepped_syscall.ts), the
 * progress drawn between them; a Ctrl-C stops it where it is, as a pending
 * fatal signal stops GUP, and the call returns what the kernel returns then
 * (mmap its address, madvise and mlock -EINTR, mlockall 0). The process and
 * the session go on; `check` holds.
 * @module
 */

import { type SyscallSpec, syscallStepped } from "../mod.ts";
import type { CallResult } from "./backend.ts";
import type { CommandContext, Value } from "./commands/types.ts";
import { STEP_BYTES, TimeSlice } from "./interrupt.ts";
import { rawArg } from "./machine_backend.ts";

/** The calls whose populate can be stepped. */
const POPULATING: ReadonlySet<string> = new Set([
  "mmap",
  "madvise",
  "mlock",
  "mlock2",
  "mlockall",
]);

/** A size as people say it: 4 GiB, 312 MiB, 64 KiB. */
export function sizeText(bytes: number): string {
  if (bytes >= 1 << 30 && bytes % (1 << 30) === 0) return `${bytes / (1 << 30)} GiB`;
  if (bytes >= 1 << 20) return `${Math.floor(bytes / (1 << 20))} MiB`;
  return `${Math.floor(bytes / 1024)} KiB`;
}

/**
 * Runs the call with its populate in steps when the session can be
 * interrupted; undefined when it does not apply (then the backend runs the
 * call as always): no Ctrl-C token (a script, a transcript), not the
 * emulated machine, a userfaultfd open (a step could wait on it).
 */
export async function steppedCall(
  ctx: CommandContext,
  spec: SyscallSpec,
  values: readonly Value[],
): Promise<CallResult | undefined> {
  const interrupt = ctx.interrupt;
  const machine = ctx.backend.machine;
  if (interrupt === undefined || machine === undefined || !POPULATING.has(spec.name)) {
    return undefined;
  }
  if ((ctx.uffds?.size ?? 0) > 0) return undefined;
  const t = machine.task(ctx.pid);
  if (t === undefined) return undefined;
  const raw = values.map((v, i) => rawArg(v, spec, i, values));
  const c = syscallStepped(t, spec.name, raw);
  if (!("populate" in c)) {
    if (c.pending !== undefined) {
      return {
        ret: 0,
        pending: c.pending,
        note: `(thread ${ctx.pid} sleeps in ${t.wchan ?? "?"})`,
      };
    }
    return c.data === undefined ? { ret: c.ret } : { ret: c.ret, data: c.data };
  }
  const run = c.populate;
  const slice = new TimeSlice();
  while (!c.step(STEP_BYTES)) {
    interrupt.progress("populate", run.done, run.total);
    await slice.pass();
    if (interrupt.requested()) {
      c.stop();
      interrupt.honour();
      ctx.out.push(
        `(populate interrupted after ${sizeText(run.done)} of ${sizeText(run.total)}; ` +
          "the pages before it stay)",
      );
      break;
    }
  }
  return { ret: c.finish().ret };
}
