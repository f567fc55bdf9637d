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

Deno.test("maps memos: every read equals a read from scratch, whatever changed since", () => {
  const [m, p] = fresh();
  const scratch = () => {
    // Forget every memo, then read: what the file says with nothing remembered.
    p.mm.viewMemo = null;
    for (let v = p.mm.vmas.first; v !== null; v = v.next) v.viewMemo = null;
    return mapsLines(p);
  };
  const steps: (() => void)[] = [
    () => map(p, B, 8 * PG, RW, ANON),
    () => syscall(p, "mprotect", [B + PG, PG, 1]),
    () => syscall(p, "mprotect", [B + PG, PG, RW]), // merges back: fewer VMAs
    () => syscall(p, "munmap", [B + 2 * PG, PG]),
    () => syscall(p, "brk", [p.mm.brk + 64 * PG]), // the [heap] grows
    () => {
      const fd = syscall(p, "open", ["/tmp/f", 0o102, 0o644]).ret; // O_RDWR|O_CREAT
      syscall(p, "ftruncate", [fd, 2 * PG]);
      syscall(p, "mmap", [B + 32 * PG, 2 * PG, RW, 0x11, fd, 0]); // MAP_SHARED|MAP_FIXED
    },
    () => syscall(p, "unlink", ["/tmp/f"]), // the name gains " (deleted)"
    ...Array.from({ length: 40 }, (_, i) => () => map(p, B + (64 + 2 * i) * PG, PG, RW, ANON)),
    () => syscall(p, "mprotect", [B + 64 * PG, PG, 1]), // flags only, no split or merge
    () => (p.mm.startStack = B + 65 * PG), // no VMA changes, but its name does
    () => syscall(p, "brk", [p.mm.brk + 1]), // the same heap VMA
    () => (p.mm.brk = B + 65 * PG), // names follow brk, not only their own VMA
    () => syscall(p, "munmap", [B, 200 * PG]),
  ];
  for (const step of steps) {
    step();
    const lines = mapsLines(p);
    assert.deepEqual(lines, scratch());
    assert.deepEqual(mapsLines(p), lines, "a second read agrees");
  }
  assert.ok(m.init === p);
});
