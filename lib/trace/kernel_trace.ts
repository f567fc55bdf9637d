/**
 * A per-machine kernel path tracer: while `trace on` holds, every fault and
 * syscall records the modelled kernel functions it went through and the
 * decision taken at each branch, one line per step. Compare ftrace's
 * function_graph tracer with its trace_printk()s: here each line names the
 * entry point, the chain of calls below it, and why this branch was taken.
 *
 * The machine holds a tracer in `Machine.trace` only while tracing is on
 * (null otherwise), so a traced site costs one property check when off:
 *
 * ```ts ignore
 * mm.machine.trace?.step("handle_mm_fault → do_anonymous_page", "read: zero page");
 * ```
 *
 * Optional chaining skips the argument expressions too: no string is built
 * unless a tracer listens.
 *
 * @example
 * ```ts
 * import { KernelTrace } from "./kernel_trace.ts";
 * const t = new KernelTrace();
 * t.begin("do_user_addr_fault", "read at 0x1000");
 * t.step("handle_mm_fault → do_anonymous_page", "pte none");
 * t.end();
 * console.log(t.take());
 * // ["do_user_addr_fault: read at 0x1000",
 * //  "do_user_addr_fault → handle_mm_fault → do_anonymous_page: pte none"]
 * t.step("__get_user_pages → check_vma_flags", "VM_IO", { errno: "-EFAULT" });
 * console.log(t.takeSteps()[0].fn); // "check_vma_flags"
 * ```
 * @module
 */

/** At most this many lines are kept between two {@link KernelTrace.take}s. */
export const KERNEL_TRACE_LINES = 10_000;

/**
 * What a traced branch decided, beside its text, for consumers of the
 * `trace json` records and of `trace` in `CMD --json` results: the VMA it
 * looked at, the policy knob that chose the branch (`knob=value`), the
 * errno or VM_FAULT_* code it ended in, the frame.
 */
export interface TraceDetail {
  /** The VMA the step looked at: `vma 7f0000000000-7f0000004000 rw-p (rd wr mr mw me ac)`. */
  vma?: string;
  /** The policy that decided the branch: `dax.truncateWithPin=block`. */
  policy?: string;
  /** The errno (`-EFAULT`) or fault code (`VM_FAULT_SIGBUS`) the step ended in. */
  errno?: string;
  /** The page frame the step mapped, pinned or freed. */
  pfn?: number;
}

/**
 * One step as data: `fn` the innermost modelled function, `path` every
 * function from the outermost entry point down to it, `decision` why this
 * branch was taken (null when the step only names the call).
 */
export interface TraceStep extends TraceDetail {
  /** The innermost function of the step. */
  fn: string;
  /** The entry points and calls, outermost first; `fn` is the last. */
  path: string[];
  /** The decision at this branch, as the text line shows it. */
  decision: string | null;
}

/** A step as its text line: `a → b → fn: decision`. */
export function traceStepText(s: TraceStep): string {
  const head = s.path.join(" → ");
  if (s.decision === null) return head;
  return head === "" ? s.decision : `${head}: ${s.decision}`;
}

/** The trace sink of one machine. */
export class KernelTrace {
  private steps: TraceStep[] = [];
  /**
   * Entry points open now, outermost first (a fault inside a syscall
   * nests), each the calls {@link begin} named (`"__get_user_pages →
   * faultin_page"` is one entry of two calls).
   */
  private readonly stack: string[][] = [];
  /** Lines dropped since the last take (a MAP_POPULATE of gigabytes). */
  private dropped = 0;
  /**
   * How the session prints the steps (`trace json`): one JSON record
   * per `trace:` line instead of the text. Data for the client; the tracer
   * records the same steps either way.
   */
  json = false;

  /**
   * Opens an entry point (a syscall, a fault, a GUP walk) and records it;
   * `fn` may be a chain of calls (`"__get_user_pages → faultin_page"`).
   */
  begin(fn: string, why?: string, detail?: TraceDetail): void {
    this.push(this.path(fn), why, detail);
    this.stack.push(fn.split(" → "));
  }

  /** Closes the innermost entry point. */
  end(): void {
    this.stack.pop();
  }

  /**
   * One step below the innermost entry point: `chain` names the calls from
   * there down (`"mprotect_fixup → split_vma"`), `why` the decision,
   * `detail` the same decision as data.
   */
  step(chain: string, why?: string, detail?: TraceDetail): void {
    this.push(this.path(chain), why, detail);
  }

  /** The lines since the last take (and a note of any dropped), and forgets them. */
  take(): string[] {
    return this.takeSteps().map(traceStepText);
  }

  /**
   * The steps since the last take, as data, and forgets them. Dropped
   * steps are counted in a last step whose fn is `(dropped)`.
   */
  takeSteps(): TraceStep[] {
    const out = this.steps;
    if (this.dropped > 0) {
      out.push({
        fn: "(dropped)",
        path: [],
        decision: `(${this.dropped} more trace lines dropped)`,
      });
    }
    this.steps = [];
    this.dropped = 0;
    // Between two commands no entry point is open (a call that threw left its own).
    this.stack.length = 0;
    return out;
  }

  /** The open entry points and `fn`'s chain, outermost first. */
  private path(fn: string): string[] {
    const below = fn === "" ? [] : fn.split(" → ");
    return [...this.stack.flat(), ...below];
  }

  /** Records one step, counting it as dropped past KERNEL_TRACE_LINES. */
  private push(path: string[], why: string | undefined, detail: TraceDetail | undefined): void {
    if (this.steps.length >= KERNEL_TRACE_LINES) {
      this.dropped++;
      return;
    }
    const s: TraceStep = { fn: path[path.length - 1] ?? "", path, decision: why ?? null };
    if (detail !== undefined) Object.assign(s, detail);
    this.steps.push(s);
  }
}
