/**
 * The mmap lock as state and the vm_flags assertion (devices.md §0.4,
 * seed 002): a driver that remaps its BAR from the fault handler (vfio-pci
 * 5.8-6.9) changes vm_flags under the read lock; the kernel's WARNING
 * depends on mm.vmFlagsAssert, config.LOCKDEP and config.PER_VMA_LOCK.
 */
import assert from "node:assert/strict";
import { checkInvariants, Machine, syscall } from "../../mod.ts";
import type { Process } from "../../mod.ts";
import { Inode, type SuperBlock } from "../../lib/fs/inode.ts";
import type { FileOperations } from "../../lib/mm/file_operations.ts";
import type { OpenFile } from "../../lib/fs/file.ts";
import type { Vma } from "../../lib/mm/vma.ts";
import { remapPfnRange } from "../../lib/mm/pfnmap.ts";
import { VM_FAULT_NOPAGE, VM_FAULT_SIGBUS, type VmFault } from "../../lib/mm/vm_ops.ts";
import {
  combine,
  VM_DONTCOPY,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_IO,
  VM_PFNMAP,
} from "../../lib/mm/vm_flags.ts";
import { PCI_WINDOW_BASE, type Resource } from "../../lib/phys/iomem.ts";
import { cpuWrite } from "../../lib/arch/cpu.ts";
import {
  MAP_ANONYMOUS,
  MAP_PRIVATE,
  MAP_SHARED,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import {
  mmapAssertWriteLocked,
  vmaIsWriteLocked,
  vmFlagsClear,
  vmFlagsMod,
  vmFlagsSet,
  withFaultLock,
  withMmapReadLock,
  withMmapWriteLock,
} from "../../lib/mm/mmap_lock.ts";
import type { KnobName } from "../../lib/policy.ts";

const BAR_SIZE = 16384;
const FAULT_TRACE = ["vfio_pci_mmap_fault", "__do_fault", "handle_mm_fault", "exc_page_fault"];

/**
 * vfio-pci 5.8-6.9 in small: ->mmap sets the pfnmap flags (write lock
 * held), ->fault remaps the whole VMA (read lock held) once.
 */
function remapInFaultDriver(m: Machine): FileOperations {
  const bar = m.iomem.request(m.pciWindow, "0000:00:04.0", PCI_WINDOW_BASE, BAR_SIZE) as Resource;
  const barPfn = bar.start / 4096;
  return {
    name: "testvfio_fops",
    fopFlags: 0,
    mmap(_f: OpenFile, vma: Vma): number {
      vmFlagsSet(vma, combine(VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP), {
        fn: "vfio_pci_core_mmap+0x1c0/0x2a0",
        trace: [],
      });
      vma.ops = {
        fault: (vmf) => {
          const v = vmf.vma;
          const r = remapPfnRange(v, v.start, barPfn + v.pgoff, v.end - v.start, FAULT_TRACE);
          return r === 0 ? VM_FAULT_NOPAGE : VM_FAULT_SIGBUS;
        },
      };
      return 0;
    },
  };
}

function openDev(m: Machine, p: Process, fops: FileOperations): number {
  const sb: SuperBlock = {
    major: 0,
    minor: 5,
    noexec: false,
    punchHole: false,
    name: "devtmpfs",
    ops: { chardev: { fop: fops, iop: {} } },
  };
  return p.allocFd(m.openInode(new Inode(901, sb, "chardev", "/dev/testvfio", 0), O_RDWR));
}

const warnings = (m: Machine) => m.dmesg.format().filter((l) => / WARNING: /.test(l));

function touchBar(policies: Partial<Record<KnobName, string>>, preset = "linux-6.18") {
  const m = new Machine({ preset, policies });
  const p = m.init;
  const fd = openDev(m, p, remapInFaultDriver(m));
  const a = syscall(p, "mmap", [0, BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0]).ret;
  assert.ok(a > 0);
  assert.deepEqual(warnings(m), [], "->mmap runs under the write lock: no warning");
  const r = m.runIn(p.leader, () => cpuWrite(p, a + 8, Uint8Array.of(1)));
  assert.equal(r.sig, undefined, "the store goes through");
  assert.ok(p.alive);
  assert.deepEqual(checkInvariants(m), []);
  return m;
}

Deno.test("mmap_lock: remap_pfn_range in a fault handler WARNs on 6.10+ (rwsem.h), any config", () => {
  for (const lockdep of ["n", "y"]) {
    const m = touchBar({ "config.LOCKDEP": lockdep });
    const w = warnings(m);
    assert.equal(w.length, 1);
    assert.match(
      w[0],
      /WARNING: CPU: 0 PID: 1 at include\/linux\/rwsem\.h:\d+ remap_pfn_range_notrack\+0x/,
    );
    const log = m.dmesg.format().join("\n");
    assert.match(log, /cut here/);
    // The taint comes after the report: the first splat's CPU line is untainted.
    assert.match(log, /CPU: 0 PID: 1 Comm: prog Not tainted 6\.18\.0 #1\n/);
    assert.match(log, / remap_pfn_range\n.* vfio_pci_mmap_fault\n/);
    assert.match(log, /end trace/);
    assert.equal(m.taint.text(), "Tainted: W");
  }
});

Deno.test("mmap_lock: 6.3-6.9 WARN only on lockdep kernels (mmap_lock.h); none before 6.3", () => {
  assert.deepEqual(warnings(touchBar({}, "linux-6.5")), [], "lockdep-only, no LOCKDEP");
  const w = warnings(touchBar({ "config.LOCKDEP": "y" }, "linux-6.5"));
  assert.equal(w.length, 1);
  assert.match(w[0], /at include\/linux\/mmap_lock\.h:161 remap_pfn_range_notrack/);
  // 6.3: vm_flags_set() asserted directly (no vma_start_write yet).
  assert.equal(warnings(touchBar({ "config.LOCKDEP": "y" }, "linux-6.3")).length, 1);
  // 6.4+ without per-VMA locks: vma_start_write() is empty, nothing is checked.
  assert.deepEqual(
    warnings(touchBar({ "config.LOCKDEP": "y", "config.PER_VMA_LOCK": "n" }, "linux-6.5")),
    [],
  );
  assert.deepEqual(warnings(touchBar({ "config.LOCKDEP": "y" }, "linux-6.2")), []);
  const m = touchBar({}, "linux-6.2");
  assert.equal(m.taint.text(), "Not tainted");
});

Deno.test("mmap_lock: mmap/mprotect hold the write lock, faults and GUP the read lock", () => {
  const m = new Machine();
  const p = m.init;
  const a =
    syscall(p, "mmap", [0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0])
      .ret;
  const v = p.mm.vmas.lookup(a)!;
  const l = p.mm.mmapLock;
  assert.equal(l.readers + (l.writer ? 1 : 0), 0, "released after the call");
  const seq = l.seq;
  withMmapWriteLock(p.mm, () => {
    vmFlagsSet(v, VM_DONTCOPY);
    assert.ok(vmaIsWriteLocked(v), "vma_start_write() locked it (PER_VMA_LOCK=y)");
    vmFlagsClear(v, VM_DONTCOPY);
    vmFlagsMod(v, VM_DONTCOPY, 0);
  });
  assert.equal(l.seq, seq + 1, "the write unlock ends VMA write locks (mm_lock_seq++)");
  assert.ok(!vmaIsWriteLocked(v));
  assert.deepEqual(warnings(m), []);
  // An anonymous fault holds only the VMA's read lock; the mmap lock is free.
  withFaultLock(p.mm, v, () => {
    assert.equal(l.readers, 0);
    assert.equal(l.vmaReaders, 1);
    assert.equal(mmapAssertWriteLocked(p.mm, { fn: "f+0x0/0x10", trace: [] }), false);
  });
  withMmapReadLock(p.mm, () => {
    assert.equal(l.readers, 1);
    vmFlagsSet(v, VM_DONTCOPY, { fn: "mydrv_fault+0x10/0x40", trace: ["__do_fault"] });
  });
  assert.equal(warnings(m).length, 2);
  assert.match(warnings(m)[1], /at include\/linux\/rwsem\.h:\d+ mydrv_fault\+0x10\/0x40$/);
  assert.ok(v.flags & VM_DONTCOPY, "a WARNING does not stop the change");
});

Deno.test("mmap_lock: remap_pfn_range over a present PTE from a fault: kernel BUG, task killed", () => {
  const m = new Machine();
  const p = m.init;
  const fops = remapInFaultDriver(m);
  const fd = openDev(m, p, fops);
  const a = syscall(p, "mmap", [0, BAR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0]).ret;
  m.runIn(p.leader, () => cpuWrite(p, a, Uint8Array.of(1)));
  const v = p.mm.vmas.lookup(a)!;
  // A second fault racing in (vfio before its 5.13 guard) remaps again.
  const r = m.runIn(p.leader, () =>
    withFaultLock(p.mm, v, () =>
      v.ops!.fault!(
        {
          vma: v,
          address: a,
          realAddress: a,
          pgoff: 0,
          write: true,
          tried: false,
          page: -1,
        } as VmFault,
      )));
  assert.equal(r, VM_FAULT_SIGBUS);
  const log = m.dmesg.format().join("\n");
  assert.match(log, /kernel BUG at mm\/memory\.c:\d+!\n.*Oops: invalid opcode: 0000 \[#1\]/);
  assert.match(log, /RIP: 0010:remap_pfn_range_notrack/);
  assert.match(
    log,
    /\[#1\][^\n]*\n[^\n]*CPU: 0 PID: 1 Comm: prog Tainted: W 6\.18\.0 #1\n/,
    "D comes after",
  );
  assert.equal(p.alive, false);
  assert.equal(p.exitStatus?.signal, 11);
  assert.match(m.taint.text(), /D/);
  assert.deepEqual(checkInvariants(m), []);
});
