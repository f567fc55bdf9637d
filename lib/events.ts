/**
 * The machine's event log: what happened, in order, as typed records. The
 * REPL session prints signals and deaths from it, a recorder or a web page
 * reads it, and nobody diffs counters to find out what changed. Compare the
 * kernel's tracepoints (signal:signal_generate, sched:sched_process_exit,
 * printk's ring): each record says what, to whom, and when on the virtual
 * clock.
 *
 * Readers keep a cursor (a sequence number) and ask for what came since.
 * The log keeps the newest {@link EVENT_LOG_CAPACITY} records; a reader
 * that falls further behind is told how many it lost.
 *
 * @example
 * ```ts
 * import { Machine } from "../mod.ts";
 * const m = new Machine();
 * const from = m.events.end;
 * m.dmesg.log("info", "hello");
 * console.log(m.events.since(from).events[0].kind); // "dmesg"
 * ```
 * @module
 */

import type { SigInfo } from "./abi/signal.ts";
import type { VirtualClock } from "./util/clock.ts";

/** How a process ended (wait status as strace's `+++` line shows it). */
export interface ExitStatus {
  /** exit(code), when the process exited normally. */
  code?: number;
  /** The signal that killed it. */
  signal?: number;
  /** Whether a core would have been dumped (SIGSEGV/SIGBUS with SIG_DFL). */
  core?: boolean;
}

/** The fields of each kind of event, without the sequence number and time. */
export type EventBody =
  /** A signal was delivered to a process (kernel/signal.c: send_signal_locked). */
  | { kind: "signal"; pid: number; info: SigInfo; tid?: number }
  /** A process ended (kernel/exit.c: do_exit). */
  | { kind: "exit"; pid: number; status: ExitStatus }
  /**
   * A thread that is not its group's last ended (kernel/exit.c: do_exit of
   * one task; the group's end is an `exit` event).
   */
  | { kind: "thread_exit"; pid: number; tid: number; status: ExitStatus }
  /**
   * A blocked call finished (its task was woken and ran, or died asleep:
   * `ret` null, strace's `= ?`).
   */
  | {
    kind: "resume";
    pid: number;
    tid: number;
    token: number;
    call: string;
    ret: number | null;
    data?: Uint8Array;
  }
  /** A process was created (kernel/fork.c: kernel_clone). */
  | { kind: "fork"; pid: number; child: number }
  /** A kernel log line (kernel/printk: vprintk_store). */
  | { kind: "dmesg"; level: LogLevel; text: string }
  /**
   * A PCI function's DMA op completed (lib/pci/dma.ts): status `ok`,
   * `iommu-fault`, `unsupported-request`, `aborted` or `error`; `done`
   * bytes moved. Emulator-defined: the hardware's completion.
   */
  | {
    kind: "dma";
    bdf: string;
    id: number;
    dir: "read" | "write";
    addr: number;
    len: number;
    status: string;
    done: number;
  };

/** printk levels mmlab uses. */
export type LogLevel = "emerg" | "err" | "warn" | "info" | "debug";

/** One record: its sequence number, the virtual time, and what happened. */
export type MachineEvent = EventBody & { seq: number; ns: number };

/** Of one kind. */
export type EventOf<K extends MachineEvent["kind"]> = Extract<MachineEvent, { kind: K }>;

/** How many records the log keeps. */
export const EVENT_LOG_CAPACITY = 1 << 16;

/** What a reader gets: the records since its cursor, its next cursor, and how many it missed. */
export interface EventBatch {
  /** The records since the cursor, oldest first. */
  events: readonly MachineEvent[];
  /** The cursor to pass next time. */
  next: number;
  /** Records dropped from the log before the reader got to them. */
  lost: number;
}

/** An append-only, bounded log of {@link MachineEvent}s. */
export class EventLog {
  private buf: MachineEvent[] = [];
  /** The sequence number of buf[0]. */
  private base = 0;

  /** An empty log stamped by `clock`, keeping the newest `capacity` records. */
  constructor(
    private readonly clock: VirtualClock,
    private readonly capacity: number = EVENT_LOG_CAPACITY,
  ) {}

  /** The cursor after the newest record: a reader starting here sees only what comes next. */
  get end(): number {
    return this.base + this.buf.length;
  }

  /** Appends a record stamped with the next sequence number and the clock. */
  emit(body: EventBody): MachineEvent {
    const e = { ...body, seq: this.end, ns: this.clock.ns } as MachineEvent;
    this.buf.push(e);
    if (this.buf.length > this.capacity) {
      // Drop the older half at once, so appends stay amortised O(1).
      const drop = this.buf.length - (this.capacity >> 1);
      this.buf = this.buf.slice(drop);
      this.base += drop;
    }
    return e;
  }

  /** The records from cursor `from` on. */
  since(from: number): EventBatch {
    const lost = from < this.base ? this.base - from : 0;
    const start = Math.max(0, from - this.base);
    return { events: this.buf.slice(start), next: this.end, lost };
  }
}
