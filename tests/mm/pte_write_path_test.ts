/**
 * One PTE write path: outside lib/mm/pagetable.ts nothing stores into a
 * PteTable's arrays or its `used` count (pteInstall/pteClear/pteModify and
 * PageTable.set/clear/modify are the only writers), and the mmu notifier
 * brackets fire around the changes that remove or downgrade PTEs.
 */
import assert from "node:assert/strict";
import { Machine, syscall } from "../../mod.ts";
import type { MmuNotifierRange } from "../../lib/mm/mmu_notifier.ts";
import { cpuWrite } from "../../lib/arch/cpu.ts";
import { PageTable, PTE_PRESENT, PTE_WRITE, PTE_YOUNG } from "../../lib/mm/pagetable.ts";

const LIB = new URL("../../lib/", import.meta.url);
const WRITE = /\b(bits|pfn|pfns)\[[^\]]+\]\s*(?:[|&^+-])?=(?!=)|\.used\s*(?:\+\+|--|[+-]=)/;

async function* tsFiles(dir: URL): AsyncGenerator<URL> {
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) yield* tsFiles(new URL(`${e.name}/`, dir));
    else if (e.name.endsWith(".ts")) yield new URL(e.name, dir);
  }
}

Deno.test("no lib module but pagetable.ts writes PTE arrays directly", async () => {
  const offenders: string[] = [];
  let files = 0;
  for await (const f of tsFiles(LIB)) {
    files++;
    if (f.pathname.endsWith("/mm/pagetable.ts")) continue;
    const lines = (await Deno.readTextFile(f)).split("\n");
    lines.forEach((l, i) => {
      if (WRITE.test(l)) offenders.push(`${f.pathname.split("/lib/")[1]}:${i + 1}: ${l.trim()}`);
    });
  }
  assert.ok(files > 50);
  assert.deepEqual(offenders, []);
  // The pattern does catch the forms it must.
  assert.ok(
    WRITE.test("      t.bits[i] = 0;") && WRITE.test("bits[i] |= PTE_YOUNG") &&
      WRITE.test("t.used--;"),
  );
  assert.ok(!WRITE.test("if (t.bits[i] === 0) continue;"));
});

Deno.test("PageTable.set/clear/modify keep `used` and free nothing by themselves", () => {
  const pt = new PageTable();
  pt.set(100, 7, PTE_PRESENT);
  pt.set(101, 8, PTE_PRESENT);
  const t = pt.table(100, false)!;
  assert.equal(t.used, 2);
  pt.modify(100, PTE_PRESENT | PTE_WRITE | PTE_YOUNG);
  assert.equal(pt.pfnAt(100), 7);
  assert.equal(pt.bitsAt(100), PTE_PRESENT | PTE_WRITE | PTE_YOUNG);
  pt.modify(102, PTE_PRESENT); // none stays none
  assert.equal(pt.bitsAt(102), 0);
  assert.equal(pt.clear(100), PTE_PRESENT | PTE_WRITE | PTE_YOUNG);
  assert.equal(pt.clear(100), 0);
  assert.equal(t.used, 1);
  pt.set(101, 0, 0);
  assert.equal(t.used, 0);
});

Deno.test("mmu notifiers: zap, mprotect downgrade, fork's write-protect and a COW break are bracketed", () => {
  const m = new Machine();
  const p = m.init;
  const seen: string[] = [];
  let open = 0;
  p.mm.notifiers.push({
    invalidateStart(r: MmuNotifierRange) {
      open++;
      seen.push(`${r.event} ${(r.end - r.start) / 4096}`);
    },
    invalidateEnd() {
      open--;
    },
  });
  const sys = (name: string, ...args: unknown[]) => syscall(p, name, args).ret;
  const a = sys("mmap", 0, 16384, 3, 0x22, -1, 0);
  cpuWrite(p, a, new Uint8Array(16384).fill(1));
  assert.equal(seen.length, 0, "faults that fill PTEs do not invalidate");
  sys("mprotect", a, 4096, 1);
  sys("fork");
  cpuWrite(p, a + 8192, Uint8Array.of(2)); // COW break in the parent
  sys("madvise", a + 12288, 4096, 4); // MADV_DONTNEED
  sys("munmap", a, 16384);
  assert.equal(open, 0, "every start has its end");
  assert.equal(seen[0], "PROTECTION_VMA 1");
  // fork write-protects each COW VMA of the parent (the exec image's too).
  assert.ok(seen.includes("PROTECTION_PAGE 3"), seen.join(", "));
  assert.deepEqual(seen.slice(-3), ["CLEAR 1", "CLEAR 1", "UNMAP 4"]);
});
