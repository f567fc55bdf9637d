/**
 * Progress of a long run (fuzz cases, bench rows) as one line on a
 * terminal, redrawn in place (`\r(text)` then erase to the end of the
 * line), as replay and the REPL draw theirs; nothing at all when the
 * stream is not a terminal (piped, redirected), or NO_COLOR or CI is set,
 * so logs and files never hold it.
 * @module
 */

/** Where the line goes: a terminal or not (Deno.stderr is one). */
export interface ProgressStream {
  /** Whether the stream is a terminal. */
  isTerminal(): boolean;
  /** Writes bytes (all of them, as Deno's streams do for small writes). */
  writeSync(p: Uint8Array): number;
}

/** The least time between two redraws, so a fast loop does not flood the terminal. */
export const PROGRESS_EVERY_MS = 250;

/**
 * An environment variable, or undefined where the program may not read it
 * (bench runs without --allow-env): then it counts as unset.
 */
function envVar(name: string): string | undefined {
  // Deno knows NO_COLOR without --allow-env.
  if (name === "NO_COLOR" && Deno.noColor) return "1";
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return undefined;
    }
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Whether progress is drawn on `out`: a terminal, without NO_COLOR or CI. */
export function wantsProgress(
  out: ProgressStream,
  env: (name: string) => string | undefined = envVar,
): boolean {
  return out.isTerminal() && env("NO_COLOR") === undefined &&
    env("CI") === undefined;
}

/** One progress line on a stream, drawn only where {@link wantsProgress} says so. */
export class ProgressLine {
  private shown = false;
  private last = -Infinity;
  private readonly on: boolean;
  private readonly enc = new TextEncoder();
  private readonly everyMs: number;
  private readonly now: () => number;

  constructor(
    private readonly out: ProgressStream,
    opts: { enabled?: boolean; everyMs?: number; now?: () => number } = {},
  ) {
    this.on = opts.enabled ?? wantsProgress(out);
    this.everyMs = opts.everyMs ?? PROGRESS_EVERY_MS;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Whether this line draws at all. */
  get enabled(): boolean {
    return this.on;
  }

  /** Draws `(text)` over the line; `now` draws it even if the last draw was recent. */
  draw(text: string, now = false): void {
    if (!this.on) return;
    const t = this.now();
    if (!now && t - this.last < this.everyMs) return;
    this.last = t;
    this.shown = true;
    this.out.writeSync(this.enc.encode(`\r(${text})\x1b[K`));
  }

  /** Erases the line, if drawn, so that ordinary output starts on a clean line. */
  clear(): void {
    if (!this.shown) return;
    this.shown = false;
    this.out.writeSync(this.enc.encode("\r\x1b[K"));
  }
}
