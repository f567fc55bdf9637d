/**
 * The machine's virtual clock, in nanoseconds since boot. It advances only
 * by modelled costs and explicit sleeps, never with host time.
 * @module
 */

export class VirtualClock {
  ns = 0;

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
