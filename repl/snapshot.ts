/**
 * Snapshots by replay. The machine is deterministic (one seeded generator,
 * a virtual clock), so the state after N command lines is a function of
 * the machine's settings and those N lines: a snapshot is a prefix of the
 * session's command log, and `restore` runs that prefix on a fresh session
 * and takes over its machine and REPL state (current thread, variables,
 * calls still blocked, known userfaultfds).
 *
 * Why not copy the state: the machine holds threads asleep mid-call whose
 * REPL calls are still pending, userfaultfd contexts with queued messages,
 * devices, drivers, pins, DMA in flight and timers on the virtual clock,
 * several of them as closures; a copy would have to know every one of
 * them, and a kind added later would silently be shared between the copy
 * and the original. Replay is correct for every kind by construction.
 *
 * Cost: taking a snapshot stores a reference to the log and a length
 * (constant bytes and time, so every command is a snapshot point and
 * `undo N` needs no snapshot at all); restoring costs a replay of the
 * prefix, which grows with history (measured in `deno task bench`), with
 * two shortcuts that replay less and lose nothing, since the session now
 * is the replay of its own log (views are left out of the log: they
 * change nothing):
 * - the point is where the session is (`restore a` right after `undo`
 *   back to a): nothing to replay;
 * - the session's log is a prefix of the point's (`restore b` after
 *   `undo` or `restore a`, going forward again): the session goes on with
 *   the lines after its own, on a copy of its state, and takes it over.
 *
 * A line Ctrl-C stopped part-way (a memset, a populate) is logged with how
 * many steps it made; its replay stops after as many, where it stopped.
 *
 * ```
 * log:      [l1 l2 l3 l4 l5]        append-only; never changed in place
 * snapshots: ^log, length 3 and 5   (a, 3) (b, 5)
 * restore a: log = [l1 l2 l3]       a fresh session runs l1 l2 l3
 * restore b: log = [l1 l2 l3 l4 l5] [l1 l2 l3] starts b's: a copy runs l4 l5
 * restore b: log as it is           at b already: nothing runs
 * ```
 * @module
 */

/** A logged line, and the steps it made when Ctrl-C stopped it part-way. */
export interface LogEntry {
  /** The command line as typed. */
  readonly line: string;
  /** Progress reports (steps) it made before Ctrl-C stopped it, when it did. */
  readonly stoppedAfter?: number;
}

/** A named point: the first `length` lines of `log`. */
interface Point {
  readonly log: readonly LogEntry[];
  readonly length: number;
}

/** What a session must offer for its log to be replayed. */
export interface Replayable<S> {
  /** Whether the session can be rebuilt from its settings (not over the host kernel). */
  readonly canReplay: boolean;
  /** A fresh session with this one's starting settings. */
  fresh(): S;
  /** Runs one line in `s` (stopped after `stoppedAfter` steps, when given). */
  run(s: S, line: string, stoppedAfter?: number): Promise<void>;
  /** Makes the session take over `s`'s machine and REPL state. */
  adopt(s: S): void;
  /** A session holding this one's machine and REPL state, to go on from (then adopted back). */
  copy(): S;
  /** Whether a line changes nothing (a view): not logged, not counted by undo. */
  readOnly(line: string): boolean;
}

/** Why a snapshot operation cannot be done: one line for the user. */
export class SnapshotError extends Error {}

/** A session's command log and its named snapshots. */
export class SnapshotLog<S> {
  private log: LogEntry[] = [];
  private readonly named = new Map<string, Point>();
  /** The line now running must not be logged (a snapshot command). */
  private skip = false;
  /** A replay's session (restore, undo, diff): nothing it runs is logged. */
  private replica = false;

  constructor(private readonly host: Replayable<S>) {}

  /** Lines run since the start (or since the last restore's point). */
  get length(): number {
    return this.log.length;
  }

  /**
   * Called after each line: logs it unless it was a snapshot command (with
   * the steps it made when Ctrl-C stopped it part-way).
   */
  logged(line: string, stoppedAfter?: number): void {
    if (this.replica) return;
    if (this.skip) {
      this.skip = false;
      return;
    }
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    if (this.host.readOnly(line)) return;
    this.log.push(stoppedAfter === undefined ? { line } : { line, stoppedAfter });
  }

  /**
   * Marks the log as a replay's: the session rebuilds a point or goes on
   * from one to be taken over, and the log that counts is the restoring
   * session's, so its lines are not logged (nor parsed again to ask
   * whether they are views: about 5% of a rebuild's time per command).
   */
  replaying(): void {
    this.replica = true;
  }

  /** Marks the running line as one not to log (a snapshot command). */
  notLogged(): void {
    this.skip = true;
  }

  /** `snapshot NAME`: the point after the lines run so far. */
  save(name: string): number {
    this.notLogged();
    this.requireReplay();
    this.named.set(name, { log: this.log, length: this.log.length });
    return this.log.length;
  }

  /** The snapshots: name and the number of lines before it, in the order they were taken. */
  list(): { name: string; length: number }[] {
    this.notLogged();
    return [...this.named].map(([name, p]) => ({ name, length: p.length }));
  }

  /** `restore NAME`: replays the snapshot's lines; returns how many. */
  async restore(name: string): Promise<number> {
    this.notLogged();
    const p = this.point(name);
    await this.replayTo(p.log.slice(0, p.length));
    return p.length;
  }

  /** `undo N`: back to N lines ago; returns the number of lines left. */
  async undo(n: number): Promise<number> {
    this.notLogged();
    if (n > this.log.length) {
      throw new SnapshotError(
        `cannot undo ${n} commands: only ${this.log.length} ran since the start`,
      );
    }
    await this.replayTo(this.log.slice(0, this.log.length - n));
    return this.log.length;
  }

  /** A fresh session at snapshot `name` (`now`: at the current point), for `diff`. */
  async at(name: string): Promise<S> {
    this.notLogged();
    const p = name === "now" && !this.named.has(name)
      ? { log: this.log, length: this.log.length }
      : this.point(name);
    return await this.replay(p.log.slice(0, p.length));
  }

  private point(name: string): Point {
    const p = this.named.get(name);
    if (p === undefined) {
      const known = [...this.named.keys()];
      throw new SnapshotError(
        `no snapshot named ${name}` +
          (known.length === 0 ? "; snapshot NAME takes one" : `; snapshots: ${known.join(", ")}`),
      );
    }
    return p;
  }

  /** Throws a SnapshotError when the session cannot be replayed. */
  requireReplay(): void {
    if (!this.host.canReplay) {
      throw new SnapshotError(
        "this session cannot be replayed: snapshots need a session started from machine " +
          "settings (not the host kernel, not a machine built elsewhere)",
      );
    }
  }

  private async replay(lines: readonly LogEntry[], from?: S): Promise<S> {
    this.requireReplay();
    const s = from ?? this.host.fresh();
    for (const e of lines) await this.host.run(s, e.line, e.stoppedAfter);
    return s;
  }

  private async replayTo(lines: LogEntry[]): Promise<void> {
    const now = this.log;
    // The session is the replay of its log: a point at or after it replays only what follows.
    if (isPrefix(now, lines)) {
      if (lines.length > now.length) {
        this.host.adopt(await this.replay(lines.slice(now.length), this.host.copy()));
      }
    } else this.host.adopt(await this.replay(lines));
    this.log = lines;
  }
}

/** Whether `a` is `b`'s first lines (the same entries, or equal ones). */
function isPrefix(a: readonly LogEntry[], b: readonly LogEntry[]): boolean {
  if (a.length > b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) {
    const x = a[i], y = b[i];
    if (x !== y && (x.line !== y.line || x.stoppedAfter !== y.stoppedAfter)) return false;
  }
  return true;
}
