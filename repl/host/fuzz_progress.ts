/**
 * What `deno task fuzz` shows while it runs: on a terminal, one line on
 * stderr redrawn in place, `(fuzz: 41/100 cases, 2 differ)`; the lines the
 * run prints (differences, reproducers) erase it first. Piped, only those
 * lines.
 * @module
 */

import type { ProgressLine } from "../progress_line.ts";

/** The fuzz run's `log` and `progress` callbacks over one progress line. */
export function fuzzReporter(line: ProgressLine, print: (s: string) => void): {
  log: (s: string) => void;
  progress: (done: number, total: number, differ: number) => void;
  end: () => void;
} {
  return {
    log: (s) => {
      line.clear();
      print(s);
    },
    progress: (done, total, differ) => {
      line.draw(`fuzz: ${done}/${total} cases, ${differ} differ`, done === 0);
    },
    end: () => line.clear(),
  };
}
