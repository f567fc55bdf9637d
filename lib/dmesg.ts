/**
 * The kernel log ring. Lines use the kernel's own text where it exists
 * (devices.md §2.5); lines mmlab invents are prefixed `[emu]`.
 * @module
 */

import type { VirtualClock } from "./util/clock.ts";
import type { EventLog, LogLevel } from "./events.ts";

export type { LogLevel };

export interface LogLine {
  ns: number;
  level: LogLevel;
  text: string;
}

export class Dmesg {
  readonly lines: LogLine[] = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly events?: EventLog,
    private readonly max = 4096,
  ) {}

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
