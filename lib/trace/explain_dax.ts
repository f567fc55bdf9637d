/**
 * What a fault on a DAX mapping would do, for `explain` (./explain.ts):
 * the decisions of ext4_dax_fault -> dax_iomap_pte_fault and of
 * device-dax's __dev_dax_pte_fault (lib/fs/dax.ts), read off the block
 * map, i_size, the pmem allocator and PG_HWPOISON without allocating. The
 * explain property test (tests/trace/explain_devices_test.ts) checks each
 * answer against the fault itself, so a change to lib/fs/dax.ts that this
 * file misses fails there.
 *
 * Preconditions: `vmf.vma` maps a DAX file (DAX_VM_OPS) or /dev/dax0.0.
 * @module
 */

import { DAX_VM_OPS, daxBlock, DEVDAX_PATH } from "../fs/dax.ts";
import type { FaultPrediction, VmFault } from "../mm/vm_ops.ts";
import { PG_HWPOISON } from "../phys/frames.ts";
import { VM_SHARED } from "../mm/vm_flags.ts";
import type { Vma } from "../mm/vma.ts";

/** The prediction function for a VMA whose vm_ops have no predictFault of their own, or null. */
export function daxPredictor(vma: Vma): ((vmf: VmFault) => FaultPrediction) | null {
  if (vma.ops === DAX_VM_OPS) return daxPredictFault;
  if (vma.file?.inode.path === DEVDAX_PATH) return devdaxPredictFault;
  return null;
}

const hex = (n: number) => "0x" + n.toString(16);

/**
 * fs/dax.c: dax_iomap_pte_fault (ext4_dax_fault, for ->fault and
 * ->pfn_mkwrite). In its order: past i_size SIGBUS; a shared write asks
 * for a block (IOMAP_WRITE: allocated for a hole, ENOSPC is SIGBUS); a
 * private write copies into the COW page (a poisoned block: HWPOISON); a
 * read of a hole maps the zero page (dax_load_hole); a poisoned block is
 * HWPOISON; else the block is mapped.
 */
function daxPredictFault(vmf: VmFault): FaultPrediction {
  const vma = vmf.vma;
  const m = vma.mm.machine;
  const inode = vma.file!.inode;
  const fn = "dax_iomap_pte_fault";
  const out = (result: FaultPrediction["result"], pfn: number, why: string): FaultPrediction => ({
    fn,
    result,
    pfn,
    ptes: result === "map" ? 1 : 0,
    why,
    policies: [],
  });
  if (vmf.pgoff >= inode.sizePages) {
    return out("sigbus", -1, `pgoff ${vmf.pgoff} at or past i_size ${inode.size}: VM_FAULT_SIGBUS`);
  }
  const cow = vmf.write && !(vma.flags & VM_SHARED);
  const write = vmf.write && !cow;
  const had = daxBlock(m, inode, vmf.pgoff, false);
  if (had < 0 && write) {
    // The allocator's next block (LIFO: the one freed last, poisoned or not).
    const next = m.pmem!.blocks.peek();
    if (next < 0) {
      return out("sigbus", -1, "a hole and no free pmem block: -ENOSPC: VM_FAULT_SIGBUS");
    }
    if (m.frames.flags[next] & PG_HWPOISON) {
      return out(
        "hwpoison",
        -1,
        `a hole: ext4_iomap_begin allocates block ${hex(next)}, which is poisoned: -EHWPOISON`,
      );
    }
    return out("map", -1, "a hole: ext4_iomap_begin allocates a zeroed block, mapped writable");
  }
  const poisoned = had >= 0 && (m.frames.flags[had] & PG_HWPOISON) !== 0;
  if (cow) {
    if (poisoned) {
      return out("hwpoison", -1, `block ${hex(had)} is poisoned: copy_cow_page_dax fails`);
    }
    return out(
      "map",
      -1,
      had < 0
        ? "a private write to a hole: a cleared COW page (dax_fault_cow_page), no block"
        : `a private write: block ${hex(had)} copied into the COW page (dax_fault_cow_page)`,
    );
  }
  if (had < 0) {
    return out("map", m.frames.zeroPfn, "a read of a hole: the zero page (dax_load_hole)");
  }
  if (poisoned) {
    return out("hwpoison", -1, `block ${hex(had)} is poisoned: dax_iomap_direct_access -EHWPOISON`);
  }
  return out(
    "map",
    had,
    `block ${hex(had)} mapped${write ? " writable and dirty" : ""} (vmf_insert_page_mkwrite)`,
  );
}

/** drivers/dax/device.c: __dev_dax_pte_fault: the namespace's pfn at the offset, or SIGBUS past it. */
function devdaxPredictFault(vmf: VmFault): FaultPrediction {
  const pmem = vmf.vma.mm.machine.pmem;
  const fn = "__dev_dax_pte_fault";
  if (pmem === null) {
    return { fn, result: "sigsegv", pfn: -1, ptes: 0, why: "no device", policies: [] };
  }
  if (vmf.pgoff >= pmem.devdaxPages) {
    return {
      fn,
      result: "sigbus",
      pfn: -1,
      ptes: 0,
      why: `pgoff ${vmf.pgoff} past the device's ${pmem.devdaxPages} pages: VM_FAULT_SIGBUS`,
      policies: [],
    };
  }
  const pfn = pmem.devdaxFirst + vmf.pgoff;
  return {
    fn,
    result: "map",
    pfn,
    ptes: 1,
    why: `dax_pgoff_to_phys: pgoff ${vmf.pgoff} is pfn ${hex(pfn)} of namespace0.1`,
    policies: [],
  };
}
