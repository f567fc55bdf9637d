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
 * ```
 * @module
 */

/** At most this many lines are kept between two {@link KernelTrace.take}s. */
export const KERNEL_TRACE_LINES = 10_000;

/** The trace sink of one machine. */
export class KernelTrace {
  private lines: string[] = [];
  /** Entry points open now, outermost first (a fault inside a syscall nests). */
  private readonly stack: string[] = [];
  /** Lines dropped since the last take (a MAP_POPULATE of gigabytes). */
  private dropped = 0;

  /** Opens an entry point (a syscall, a fault, a GUP walk) and records it. */
  begin(fn: string, why?: string): void {
    this.push(this.path(fn), why);
    this.stack.push(fn);
  }

  /** Closes the innermost entry point. */
  end(): void {
    this.stack.pop();
  }

  /**
   * One step below the innermost entry point: `chain` names the calls from
   * there down (`"mprotect_fixup → split_vma"`), `why` the decision.
   */
  step(chain: string, why?: string): void {
    this.push(this.path(chain), why);
  }

  /** The lines since the last take (and a note of any dropped), and forgets them. */
  take(): string[] {
    const out = this.lines;
    if (this.dropped > 0) out.push(`(${this.dropped} more trace lines dropped)`);
    this.lines = [];
    this.dropped = 0;
    // Between two commands no entry point is open (a call that threw left its own).
    this.stack.length = 0;
    return out;
  }

  /** The open entry points joined with `fn` into one `a → b → fn` chain. */
  private path(fn: string): string {
    if (fn === "") return this.stack.join(" → ");
    return this.stack.length === 0 ? fn : `${this.stack.join(" → ")} → ${fn}`;
  }

  /** Records one line (`head: why`), counting it as dropped past KERNEL_TRACE_LINES. */
  private push(head: string, why: string | undefined): void {
    if (this.lines.length >= KERNEL_TRACE_LINES) {
      this.dropped++;
      return;
    }
    this.lines.push(why === undefined ? head : `${head}: ${why}`);
  }
}
