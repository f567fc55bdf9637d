/**
 * Ctrl-C for long commands. The library's loops are synchronous and know
 * nothing of terminals; a long command (a memset of hundreds of MiB) runs
 * in steps from the REPL side, yields to the event loop between steps so
 * a Ctrl-C can arrive, and asks this token whether to go on. Each step
 * completes, so the machine is consistent where it stops (`check` says ok).
 * @module
 */

/** What a long command asks while it runs. */
export interface Interrupt {
  /** Whether the user asked to stop (Ctrl-C). */
  requested(): boolean;
  /** How far the command got (the front end may draw it on a terminal). */
  progress(what: string, done: number, total: number): void;
  /** The command stopped part-way because of the request. */
  honour(): void;
  /** Whether the command running now (or last) stopped part-way. */
  honoured(): boolean;
  /** How many steps (progress reports) the command running now (or last) made. */
  stepsDone(): number;
}

/** How many bytes a stepped command does between two looks at the token. */
export const STEP_BYTES = 2 << 20;

/** The front end's token: set by Ctrl-C, cleared before each line. */
export class InterruptToken implements Interrupt {
  private flag = false;
  private stopped = false;
  private steps = 0;

  constructor(
    private readonly onProgress: (what: string, done: number, total: number) => void = () => {},
  ) {}

  request(): void {
    this.flag = true;
  }

  clear(): void {
    this.flag = false;
    this.stopped = false;
    this.steps = 0;
  }

  honour(): void {
    this.stopped = true;
  }

  honoured(): boolean {
    return this.stopped;
  }

  requested(): boolean {
    return this.flag;
  }

  stepsDone(): number {
    return this.steps;
  }

  progress(what: string, done: number, total: number): void {
    this.steps++;
    this.onProgress(what, done, total);
  }
}

/**
 * A token that asks to stop once a command has made `steps` steps: a
 * replay of a line Ctrl-C stopped (repl/snapshot.ts) stops where it did,
 * since a stepped command looks at the token only after a step's report.
 */
export function stopAfter(steps: number): InterruptToken {
  const t: InterruptToken = new InterruptToken(() => {
    if (t.stepsDone() >= steps) t.request();
  });
  return t;
}

/** Lets input (a Ctrl-C keypress) be read before the next step. */
export function yieldToInput(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** How long a stepped command runs between two yields to input (ms). */
export const SLICE_MS = 40;

/**
 * Yields to input once per {@link SLICE_MS} of steps rather than after
 * each: a yield costs a timer's turn (a millisecond or more), a step of a
 * read populate a few microseconds. The token is still asked after every
 * step, so a stop lands on the same step however the slices fall.
 */
export class TimeSlice {
  private start = performance.now();

  /** Yields to input if the slice is used up. */
  async pass(): Promise<void> {
    if (performance.now() - this.start < SLICE_MS) return;
    await yieldToInput();
    this.start = performance.now();
  }
}
