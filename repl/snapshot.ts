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
 * prefix, which grows with history (measured in `deno task bench`).
 *
 * ```
 * log:      [l1 l2 l3 l4 l5]        append-only; never changed in place
 * snapshot:  ^log, length 3         (a, 3)
 * restore a: log = [l1 l2 l3]       a copy: later lines cannot reach a
 * ```
 * @module
 */

/** A named point: the first `length` lines of `log`. */
interface Point {
  readonly log: readonly string[];
  readonly length: number;
}

/** What a session must offer for its log to be replayed. */
export interface Replayable<S> {
  /** Whether the session can be rebuilt from its settings (not over the host kernel). */
  readonly canReplay: boolean;
  /** A fresh session with this one's starting settings. */
  fresh(): S;
  /** Runs one line in `s`. */
  run(s: S, line: string): Promise<void>;
  /** Makes the session take over `s`'s machine and REPL state. */
  adopt(s: S): void;
  /** Whether a line changes nothing (a view): not logged, not counted by undo. */
  readOnly(line: string): boolean;
}

/** Why a snapshot operation cannot be done: one line for the user. */
export class SnapshotError extends Error {}

/** A session's command log and its named snapshots. */
export class SnapshotLog<S> {
  private log: string[] = [];
  private readonly named = new Map<string, Point>();
  /** The line now running must not be logged (a snapshot command). */
  private skip = false;

  constructor(private readonly host: Replayable<S>) {}

  /** Lines run since the start (or since the last restore's point). */
  get length(): number {
    return this.log.length;
  }

  /** Called after each line: logs it unless it was a snapshot command. */
  logged(line: string): void {
    if (this.skip) {
      this.skip = false;
      return;
    }
    if (line.trim() === "" || line.trimStart().startsWith("#")) return;
    if (this.host.readOnly(line)) return;
    this.log.push(line);
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

  private async replay(lines: readonly string[]): Promise<S> {
    this.requireReplay();
    const s = this.host.fresh();
    for (const l of lines) await this.host.run(s, l);
    return s;
  }

  private async replayTo(lines: string[]): Promise<void> {
    const s = await this.replay(lines);
    this.host.adopt(s);
    this.log = lines;
  }
}
