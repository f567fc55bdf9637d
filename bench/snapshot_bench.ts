/**
 * The cost of `snapshot`, `restore` and `undo` in a REPL session holding
 * `mapsVmas` VMAs and `forkBytes` touched (10k VMAs and 1 GiB at the full
 * sizes). mmlab only: the kernel has no counterpart (no way to snapshot a
 * process's address space and return to it), so these rows have no kernel
 * figure and no goal.
 *
 * Snapshots are prefixes of the command log (repl/snapshot.ts): taking one
 * is constant work; restoring back replays the commands before it (here
 * the 5000 mprotects and the 1 GiB memset: 262144 page faults, whose
 * whole-page stores write no bytes: lib/phys/frames.ts keeps each frame
 * as its one byte value); restoring
 * forward (after undo) replays only the commands after the session's, and
 * restoring to where the session is replays nothing.
 * @module
 */

import { Session } from "../repl/session.ts";
import { median, type Sizes } from "./ops.ts";

/** The figures of one run. */
export interface SnapshotFigures {
  /** VMAs of the process and bytes touched when measured. */
  vmas: number;
  touchedBytes: number;
  /** Commands in the log (what a restore replays). */
  commands: number;
  /** Bytes of command text in the log (shared by every snapshot). */
  logBytes: number;
  /** JS heap growth per snapshot, over `snapshots` of them (bytes; after a GC when exposed). */
  bytesPerSnapshot: number;
  /** The median time of one `snapshot NAME` command (µs). */
  usPerSnapshot: number;
  snapshots: number;
  /** The median time of `restore NAME` to the point after the workload (ms). */
  msPerRestore: number;
  /** The median time of `undo` (one command back) (ms). */
  msPerUndo: number;
  /** The median time of `restore NAME` forward, one command after the session (ms). */
  msPerRestoreForward: number;
  /** The median time of `restore NAME` to the point the session is at (ms). */
  msPerRestoreInPlace: number;
}

const PAGE = 4096;
const hex = (n: number) => `0x${n.toString(16)}`;

async function run(s: Session, line: string): Promise<void> {
  const r = await s.run(line);
  if (r.error !== undefined) throw new Error(`${line}: ${r.output.join(" ")}`);
}

async function timed(f: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

/** Builds the workload as REPL lines, then times snapshots, restores and undos. */
export async function benchSnapshot(s: Sizes): Promise<SnapshotFigures> {
  const ram = 2 ** Math.ceil(Math.log2(s.forkBytes + s.mapsVmas * PAGE + (256 << 20)));
  const session = new Session({ config: { ramBytes: ram } });
  const lines = [
    `a = mmap(NULL, ${hex(s.mapsVmas * PAGE)}, PROT_READ|PROT_WRITE, ` +
    "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
  ];
  // Every odd page read-only: VMAs that cannot merge.
  for (let i = 1; i < s.mapsVmas; i += 2) {
    lines.push(`mprotect(a + ${hex(i * PAGE)}, 4K, PROT_READ)`);
  }
  lines.push(
    `b = mmap(NULL, ${hex(s.forkBytes)}, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)`,
    `memset(b, 1, ${hex(s.forkBytes)})`,
  );
  for (const l of lines) await run(session, l);
  const vmas = session.current!.mm.vmas.count;
  await run(session, "snapshot base");

  const n = Math.max(s.reps * 100, 1000);
  const times: number[] = [];
  // With --v8-flags=--expose-gc (deno task bench) the heap is measured after collections.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = Deno.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) times.push(await timed(() => run(session, `snapshot s${i}`)));
  gc?.();
  const heap1 = Deno.memoryUsage().heapUsed;

  const restores: number[] = [];
  const undos: number[] = [];
  const forwards: number[] = [];
  const inPlace: number[] = [];
  for (let i = 0; i < s.reps; i++) {
    await run(session, "poke(b, 2)");
    await run(session, "snapshot ahead");
    // Back one command, forward again, back to base, base again.
    undos.push(await timed(() => run(session, "undo")));
    forwards.push(await timed(() => run(session, "restore ahead")));
    restores.push(await timed(() => run(session, "restore base")));
    inPlace.push(await timed(() => run(session, "restore base")));
  }
  return {
    vmas,
    touchedBytes: s.forkBytes,
    commands: session.snapshots.length,
    logBytes: lines.reduce((k, l) => k + l.length, 0),
    bytesPerSnapshot: Math.max(0, (heap1 - heap0) / n),
    usPerSnapshot: median(times) * 1000,
    snapshots: n,
    msPerRestore: median(restores),
    msPerUndo: median(undos),
    msPerRestoreForward: median(forwards),
    msPerRestoreInPlace: median(inPlace),
  };
}

/** The rows as text: mmlab figures only, and why there is no kernel figure. */
export function formatSnapshotRows(f: SnapshotFigures): string[] {
  const ms = (x: number) => x >= 10 ? `${x.toFixed(0)} ms` : `${x.toFixed(2)} ms`;
  const gib = (b: number) => b >= 2 ** 30 ? `${b / 2 ** 30} GiB` : `${b / 2 ** 20} MiB`;
  return [
    `snapshot (mmlab only: the kernel has no counterpart), ${f.vmas} VMAs, ${
      gib(f.touchedBytes)
    } touched, ${f.commands} commands in the log (${f.logBytes} bytes of text):`,
    `  snapshot NAME   ${f.usPerSnapshot.toFixed(1)} µs, ${
      f.bytesPerSnapshot.toFixed(0)
    } bytes (heap growth over ${f.snapshots} snapshots)`,
    `  restore NAME    ${f.msPerRestore.toFixed(0)} ms (a replay of the ${f.commands} commands)`,
    `  undo            ${f.msPerUndo.toFixed(0)} ms (one command back: the same replay)`,
    `  restore fwd     ${
      ms(f.msPerRestoreForward)
    } (after undo: the one command after the session)`,
    `  restore here    ${ms(f.msPerRestoreInPlace)} (the session is at the point: no replay)`,
  ];
}
