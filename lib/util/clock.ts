/**
 * The machine's virtual clock, in nanoseconds since boot. It advances only
 * by modelled costs and explicit sleeps, never with host time.
 * @module
 */

/**
 * Modelled costs, in ns: round figures near what Linux 6.18 takes on this
 * project's machines (`deno task bench` measures the real ones), so that
 * log timestamps and timeouts advance plausibly. They are not measurements
 * of mmlab.
 */
export const COST_SYSCALL_NS = 1000;
export const COST_FAULT_NS = 1500;

/** The machine's clock: nanoseconds since boot, advanced only by the emulation. */
export class VirtualClock {
  /** Nanoseconds since boot. */
  ns = 0;

  /** Moves the clock forward by `ns`. */
  advance(ns: number): void {
    this.ns += ns;
  }

  /** Seconds as dmesg prints them: `[    1.234567]`. */
  stamp(): string {
    const us = Math.floor(this.ns / 1000);
    const s = Math.floor(us / 1e6);
    const frac = String(us % 1e6).padStart(6, "0");
    return `[${String(s).padStart(5, " ")}.${frac}]`;
  }
}
