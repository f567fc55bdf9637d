import assert from "node:assert/strict";
import {
  mapsEntries,
  mapsLines,
  renderMapsEntry,
  renderSmapsEntry,
  smapsEntries,
  smapsLines,
  syscall,
  VSYSCALL_ENTRY,
} from "../../mod.ts";
import { ANON, B, fresh, map, PG, RW } from "./helpers.ts";

Deno.test("maps data: one entry per VMA, then the gate area, rendered as the file", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  syscall(p, "mprotect", [B + PG, PG, 1]);
  const entries = mapsEntries(p);
  const lines = mapsLines(p);
  assert.equal(entries.length, lines.length);
  assert.deepEqual(entries.map(renderMapsEntry), lines);
  assert.equal(entries.at(-1), VSYSCALL_ENTRY);
  assert.equal(
    renderMapsEntry(VSYSCALL_ENTRY),
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]",
  );
  const mid = entries.find((e) => e.start === B + PG)!;
  assert.deepEqual({ ...mid }, {
    start: B + PG,
    end: B + 2 * PG,
    perms: "r--p",
    pgoff: 0,
    dev: "00:00",
    inode: 0,
    name: "",
  });
  // The image's text: a file mapping with its offset in pages, padded name column.
  const text = entries.find((e) => e.perms === "r-xp" && e.name === "/usr/bin/prog")!;
  assert.equal(text.pgoff, 2);
  assert.equal(
    renderMapsEntry(text),
    "555555556000-55555555b000 r-xp 00002000 fe:00 260001                     /usr/bin/prog",
  );
  // Entries are shared with the per-VMA memo: frozen.
  assert.ok(Object.isFrozen(mid));
});

Deno.test("maps data follows a change of the VMA (the memo is refreshed)", () => {
  const [, p] = fresh();
  map(p, B, 2 * PG, RW, ANON);
  const before = mapsEntries(p).find((e) => e.start === B)!;
  assert.equal(before.perms, "rw-p");
  syscall(p, "mprotect", [B, 2 * PG, 1]);
  const after = mapsEntries(p).find((e) => e.start === B)!;
  assert.equal(after.perms, "r--p");
  assert.equal(renderMapsEntry(after), mapsLines(p).find((l) => l.startsWith("7f0000000000-")));
});

Deno.test("smaps data: counters in kB and VmFlags as a list, rendered as the file", () => {
  const [, p] = fresh();
  map(p, B, 4 * PG, RW, ANON);
  syscall(p, "mprotect", [B, PG, RW]);
  const entries = smapsEntries(p);
  assert.deepEqual(entries.flatMap(renderSmapsEntry), smapsLines(p));
  const e = entries.find((x) => x.vma.start === B)!;
  assert.equal(e.kb.Size, 16);
  assert.equal(e.kb.Rss, 0);
  assert.deepEqual(e.vmFlags, ["rd", "wr", "mr", "mw", "me", "ac"]);
  const lines = renderSmapsEntry(e);
  assert.equal(lines[1], "Size:                 16 kB");
  assert.equal(lines.at(-1), "VmFlags: rd wr mr mw me ac ");
  assert.ok(lines.includes("Private_Hugetlb:       0 kB"));
  const gate = entries.at(-1)!;
  assert.deepEqual(gate.vmFlags, ["ex"]);
  assert.equal(gate.kb.Size, 4);
});
