/**
 * The kernel log ring. Lines use the kernel's own text where it exists
 * (devices.md §2.5); lines mmlab invents are prefixed `[emu]`.
 * @module
 */

import type { VirtualClock } from "./util/clock.ts";
import type { EventLog, LogLevel } from "./events.ts";

export type { LogLevel };

/** One line of the kernel log. */
export interface LogLine {
  /** When it was logged, on the virtual clock. */
  ns: number;
  /** Its printk level. */
  level: LogLevel;
  /** The text, without the timestamp. */
  text: string;
}

/** The kernel log ring buffer (printk's, read by dmesg). */
export class Dmesg {
  /** The lines kept, oldest first. */
  readonly lines: LogLine[] = [];

  /** An empty log on `clock`, mirroring lines to `events`, keeping the newest `max`. */
  constructor(
    private readonly clock: VirtualClock,
    private readonly events?: EventLog,
    private readonly max = 4096,
  ) {}

  /** printk(): appends a line, dropping the oldest past `max`. */
  log(level: LogLevel, text: string): void {
    this.lines.push({ ns: this.clock.ns, level, text });
    if (this.lines.length > this.max) this.lines.shift();
    this.events?.emit({ kind: "dmesg", level, text });
  }

  /** The log as `dmesg` prints it. */
  format(from = 0): string[] {
    return this.lines.slice(from).map((l) => {
      const us = Math.floor(l.ns / 1000);
      const s = Math.floor(us / 1e6);
      return `[${String(s).padStart(5, " ")}.${String(us % 1e6).padStart(6, "0")}] ${l.text}`;
    });
  }
}
