import assert from "node:assert/strict";
import { benchSnapshot, formatSnapshotRows } from "../../bench/snapshot_bench.ts";
import { TINY } from "../../bench/ops.ts";

Deno.test("bench: snapshot rows at tiny sizes (mmlab only, no kernel figure)", async () => {
  const f = await benchSnapshot({ ...TINY, mapsVmas: 64, forkBytes: 64 << 12 });
  // 64 pages alternating make 64 VMAs, on top of the program's own.
  assert.ok(f.vmas >= 64, `${f.vmas}`);
  assert.equal(f.commands, 1 + 32 + 2);
  assert.equal(f.snapshots, 1000);
  for (const x of [f.usPerSnapshot, f.msPerRestore, f.msPerUndo]) assert.ok(x > 0);
  const rows = formatSnapshotRows(f);
  assert.match(rows[0], /^snapshot \(mmlab only: the kernel has no counterpart\)/);
  assert.match(rows[2], /^ {2}restore NAME +\d+ ms \(a replay of the 35 commands\)/);
  assert.match(rows[4], /^ {2}restore fwd +[\d.]+ ms \(after undo: the one command after/);
  assert.match(rows[5], /^ {2}restore here +[\d.]+ ms \(the session is at the point: no replay\)/);
  assert.ok(f.msPerRestoreForward >= 0 && f.msPerRestoreInPlace >= 0);
});
