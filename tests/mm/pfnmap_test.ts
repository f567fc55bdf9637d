/**
 * A small test driver: a character device whose ->mmap makes a VM_PFNMAP
 * VMA over a fake PCI BAR (an iomem range past RAM), either faulting pages
 * in with vmf_insert_pfn (as vfio-pci does since 6.10) or mapping it all
 * with remap_pfn_range (as most drivers' ->mmap does).
 */
import assert from "node:assert/strict";
import { checkInvariants, Machine, smapsLines, syscall } from "../../mod.ts";
import type { Process } from "../../mod.ts";
import { Inode, type SuperBlock } from "../../lib/fs/inode.ts";
import type { FileOperations } from "../../lib/mm/file_operations.ts";
import type { OpenFile } from "../../lib/fs/file.ts";
import type { Vma } from "../../lib/mm/vma.ts";
import { remapPfnRange, vmfInsertPfn } from "../../lib/mm/pfnmap.ts";
import {
  CACHE_MODE_MASK,
  CACHE_UC_MINUS,
  PTE_PRESENT,
  PTE_SPECIAL,
  PTE_WRITE,
} from "../../lib/mm/pagetable.ts";
import { VM_FAULT_NOPAGE } from "../../lib/mm/vm_ops.ts";
import {
  combine,
  set,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_IO,
  VM_PFNMAP,
} from "../../lib/mm/vm_flags.ts";
import { EFAULT, EINVAL } from "../../lib/abi/errno.ts";
import { PCI_WINDOW_BASE, type Resource } from "../../lib/phys/iomem.ts";
import { cpuRead, cpuWrite } from "../../lib/arch/cpu.ts";
import { MAP_PRIVATE, MAP_SHARED, O_RDWR, PROT_READ, PROT_WRITE } from "../../lib/abi/mman.ts";

const BAR_SIZE = 16384;

function driver(m: Machine, mode: "fault" | "remap"): { bar: Resource; fops: FileOperations } {
  const bar = m.iomem.request(m.pciWindow, "0000:00:04.0", PCI_WINDOW_BASE, BAR_SIZE) as Resource;
  const barPfn = bar.start / 4096;
  const fops: FileOperations = {
    name: "testbar_fops",
    fopFlags: 0,
    mmap(_f: OpenFile, vma: Vma): number {
      if (vma.pgoff + vma.pages > BAR_SIZE / 4096) return -EINVAL;
      vma.cacheMode = CACHE_UC_MINUS; // pgprot_noncached()
      if (mode === "remap") {
        return remapPfnRange(vma, vma.start, barPfn + vma.pgoff, vma.end - vma.start);
      }
      vma.flags = set(vma.flags, combine(VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP));
      vma.ops = {
        fault: (vmf) => vmfInsertPfn(vmf.vma, vmf.address, barPfn + vmf.pgoff),
      };
      return 0;
    },
  };
  return { bar, fops };
}

function open(m: Machine, p: Process, fops: FileOperations): number {
  const sb: SuperBlock = {
    major: 0,
    minor: 5,
    noexec: false,
    punchHole: false,
    name: "devtmpfs",
    ops: { chardev: { fop: fops, iop: {} } },
  };
  const inode = new Inode(900, sb, "chardev", "/dev/testbar", 0);
  const f = m.openInode(inode, O_RDWR);
  return p.allocFd(f);
}

const sys = (p: Process, name: string, ...args: unknown[]) => syscall(p, name, args).ret;

Deno.test("vmf_insert_pfn: a BAR past RAM faults in as special PTEs, no struct page touched", () => {
  const m = new Machine();
  const p = m.init;
  const { bar, fops } = driver(m, "fault");
  const fd = open(m, p, fops);
  const free = m.frames.freeCount;
  const a = sys(p, "mmap", 0, BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  assert.ok(a > 0);
  const vma = p.mm.vmas.lookup(a)!;
  const flags = smapsLines(p).find((l, i, all) =>
    l.startsWith("VmFlags:") && all.slice(0, i).reverse().find((x) => /^[0-9a-f]+-/.test(x))!
      .startsWith(a.toString(16))
  )!;
  assert.equal(flags, "VmFlags: rd wr sh mr mw me ms pf io de dd ");
  assert.equal(p.mm.pt.bitsAt(a / 4096), 0);
  // A store reaches the device's bytes through the special PTE.
  assert.equal(cpuWrite(p, a + 4096 + 8, Uint8Array.of(0xab)).sig, undefined);
  const pfn = p.mm.pt.pfnAt((a + 4096) / 4096);
  assert.equal(pfn, bar.start / 4096 + 1);
  assert.ok(!m.iomem.pfnValid(pfn));
  assert.ok(pfn >= m.frames.nframes);
  assert.equal(m.iomem.deviceBytes(pfn)![8], 0xab);
  const bits = p.mm.pt.bitsAt((a + 4096) / 4096);
  assert.equal(
    bits & (PTE_PRESENT | PTE_SPECIAL | PTE_WRITE),
    PTE_PRESENT | PTE_SPECIAL | PTE_WRITE,
  );
  assert.equal(bits & CACHE_MODE_MASK, CACHE_UC_MINUS);
  assert.equal(m.frames.freeCount, free, "no RAM frame was allocated");
  // insert_pfn() keeps an existing PTE and still reports VM_FAULT_NOPAGE.
  assert.equal(vmfInsertPfn(vma, a + 4096, 12345), VM_FAULT_NOPAGE);
  assert.equal(p.mm.pt.pfnAt((a + 4096) / 4096), pfn);
  assert.deepEqual(checkInvariants(m), []);
  // fork copies VM_PFNMAP PTEs (vma_needs_copy); the child sees the BAR.
  const child = m.procs.get(sys(p, "fork"))!;
  assert.equal(child.mm.pt.pfnAt((a + 4096) / 4096), pfn);
  assert.equal(cpuRead(child, a + 4096 + 8, 1).bytes![0], 0xab);
  assert.deepEqual(checkInvariants(m), []);
  // mprotect downgrades the special PTE; a store then faults.
  assert.equal(sys(p, "mprotect", a, BAR_SIZE, PROT_READ), 0);
  assert.equal(p.mm.pt.bitsAt((a + 4096) / 4096) & PTE_WRITE, 0);
  assert.ok(cpuWrite(p, a + 4096, Uint8Array.of(1)).sig !== undefined);
  // munmap zaps it; RAM is untouched throughout.
  assert.equal(sys(p, "munmap", a, BAR_SIZE), 0);
  assert.equal(p.mm.pt.bitsAt((a + 4096) / 4096), 0);
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("remap_pfn_range: maps the whole BAR at mmap time; a COW mapping gets vm_pgoff = pfn", () => {
  const m = new Machine();
  const p = m.init;
  const { bar, fops } = driver(m, "remap");
  const fd = open(m, p, fops);
  const a = sys(p, "mmap", 0, BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  assert.ok(a > 0);
  for (let i = 0; i < 4; i++) {
    assert.equal(p.mm.pt.pfnAt(a / 4096 + i), bar.start / 4096 + i);
    assert.ok(p.mm.pt.bitsAt(a / 4096 + i) & PTE_SPECIAL);
  }
  const v = p.mm.vmas.lookup(a)!;
  assert.ok((v.flags & VM_PFNMAP) && (v.flags & VM_IO));
  // A private mapping of part of the BAR: the whole VMA, so pgoff becomes the pfn.
  const b = sys(p, "mmap", 0, 8192, PROT_READ, MAP_PRIVATE, fd, 4096);
  assert.ok(b > 0);
  assert.equal(p.mm.vmas.lookup(b)!.pgoff, bar.start / 4096 + 1);
  assert.equal(remapPfnRange(p.mm.vmas.lookup(b)!, b, 7, 4096), -EINVAL, "COW: not the whole VMA");
  // Over a present PTE: remap_pte_range's BUG_ON, an oops that kills the task.
  assert.equal(m.runIn(p.leader, () => remapPfnRange(v, a, 7, 4096)), -EFAULT);
  assert.ok(m.dmesg.format().some((l) => /kernel BUG at mm\/memory\.c:\d+!$/.test(l)));
  assert.equal(p.alive, false);
  // Called without the mmap write lock, vm_flags_set() warned first (6.18: always).
  assert.ok(m.dmesg.format().some((l) => /WARNING: .* at include\/linux\/rwsem\.h:\d+ /.test(l)));
  assert.equal(m.taint.text(), "Tainted: D W");
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("iomem: the resource tree refuses overlaps and prints as /proc/iomem", () => {
  const m = new Machine({ ramBytes: 64 << 20 });
  const r = m.iomem.request(m.pciWindow, "0000:00:04.0", PCI_WINDOW_BASE, 4096);
  assert.ok(typeof r !== "number");
  assert.equal(m.iomem.request(m.pciWindow, "x", PCI_WINDOW_BASE + 2048, 4096), -16); // EBUSY
  assert.equal(m.iomem.request(m.pciWindow, "x", 0, 4096), -EINVAL);
  assert.deepEqual(m.iomem.text(), [
    "00000000-03ffffff : System RAM",
    "4000000000-7fffffffff : PCI Bus 0000:00",
    "  4000000000-4000000fff : 0000:00:04.0",
  ]);
  assert.equal(m.iomem.lookup(PCI_WINDOW_BASE + 5), r);
  m.iomem.release(r as Resource);
  assert.equal(m.iomem.lookup(PCI_WINDOW_BASE + 5), m.pciWindow);
  assert.equal(m.iomem.text().length, 2);
  assert.ok(m.iomem.pfnValid(0) && !m.iomem.pfnValid((64 << 20) / 4096));
});

Deno.test("invariants: a pfn past RAM needs a special PTE in a PFN map, inside an iomem range", () => {
  const m = new Machine();
  const p = m.init;
  const { fops } = driver(m, "fault");
  const fd = open(m, p, fops);
  const a = sys(p, "mmap", 0, BAR_SIZE, PROT_READ, MAP_SHARED, fd, 0);
  const anon = sys(p, "mmap", 0, 4096, PROT_READ, MAP_PRIVATE | 0x20, -1, 0);
  const past = m.frames.nframes + 10;
  p.mm.pt.set(anon / 4096, PCI_WINDOW_BASE / 4096, PTE_PRESENT | PTE_SPECIAL);
  p.mm.pt.set(a / 4096, past, PTE_PRESENT | PTE_SPECIAL);
  const errs = checkInvariants(m);
  assert.equal(errs.length, 2);
  assert.match(errs[0], /past RAM outside a PFN map/);
  assert.match(errs[1], /in no iomem range/);
});

Deno.test("a write to a private remap_pfn_range mapping copies the device page (wp_page_copy)", () => {
  const m = new Machine();
  const p = m.init;
  const { bar, fops } = driver(m, "remap");
  const fd = open(m, p, fops);
  const barPfn = bar.start / 4096;
  m.iomem.deviceBytes(barPfn)![5] = 0x5a;
  const a = sys(p, "mmap", 0, BAR_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  assert.ok(a > 0);
  assert.equal(p.mm.vmas.lookup(a)!.pgoff, barPfn);
  assert.equal(p.mm.pt.bitsAt(a / 4096) & PTE_WRITE, 0, "a COW mapping's PTEs are read-only");
  const free = m.frames.freeCount;
  assert.equal(cpuWrite(p, a + 6, Uint8Array.of(0x77)).sig, undefined);
  const np = p.mm.pt.pfnAt(a / 4096);
  assert.ok(m.iomem.pfnValid(np), "now an anonymous RAM page");
  assert.equal(m.frames.freeCount, free - 1);
  assert.deepEqual([...cpuRead(p, a + 5, 2).bytes!], [0x5a, 0x77]);
  assert.equal(m.iomem.deviceBytes(barPfn)![6], 0, "the BAR is untouched");
  assert.deepEqual(checkInvariants(m), []);
});
