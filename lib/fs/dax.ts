/**
 * Files that are memory: an ext4 filesystem mounted `-o dax` on a
 * persistent-memory namespace (/dev/pmem0 at /mnt/pmem), and a device-dax
 * character device (/dev/dax0.0) on a second namespace.
 *
 * ```
 *  pfn: ramFrames              fsdax namespace            devdax namespace   nframes
 *       +-- namespace0.0: blocks of /mnt/pmem (LIFO) --+-- namespace0.1 ----+
 *       | a file's page IS its block: no page cache     | /dev/dax0.0 mmap  |
 *       +-----------------------------------------------+-------------------+
 * ```
 *
 * A DAX file has no page cache (fs/dax.c): read and write copy straight to
 * its blocks (dax_iomap_rw), a fault maps the block's frame itself
 * (dax_iomap_fault via ext4_dax_fault), and a mapping is VM_HUGEPAGE
 * (ext4_file_mmap_prepare). The frames are struct pages of the pmem device
 * (PG_PMEM): a PTE holds a reference as on any page (fsdax folios are
 * refcounted since 6.15) and so does a pin, which is what truncate must wait
 * for (./dax_layout.ts).
 *
 * The block allocator hands out the block freed last first: what makes a
 * DMA into a freed block land in the next file that gets it.
 * @module
 */

import { EFAULT, EINVAL, EIO, ENOSPC, ENXIO } from "../abi/errno.ts";
import { SEEK_DATA, SEEK_HOLE } from "../abi/mman.ts";
import type { Machine } from "../machine.ts";
import type { Process } from "../proc/process.ts";
import type { OpenFile } from "./file.ts";
import type { Inode, SuperBlock } from "./inode.ts";
import { EXT4_EXTENTS_FL, EXT4_INODE_OPS } from "./ext4.ts";
import { thpGetUnmappedArea } from "../mm/get_unmapped_area.ts";
import {
  type FileOperations,
  FOP_MMAP_SYNC,
  type IterRequest,
  type VmAreaDesc,
} from "../mm/file_operations.ts";
import {
  VM_FAULT_HWPOISON,
  VM_FAULT_NOPAGE,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
  type VmFault,
  type VmOperations,
} from "../mm/vm_ops.ts";
import { VM_HUGEPAGE, VM_SHARED } from "../mm/vm_flags.ts";
import { copyFromUser, copyToUser } from "../mm/uaccess.ts";
import { genericFileLlseekSize, seekHoleData, vfsSetpos } from "../mm/llseek.ts";
import { WaitQueue } from "../sched/wait.ts";
import type { SysOut } from "../syscalls.ts";
import { PG_DIRTY, PG_HWPOISON } from "../phys/frames.ts";
import { PTE_PRESENT, PTE_SPECIAL, PTE_YOUNG } from "../mm/pagetable.ts";
import { mapFilePage } from "../mm/fault.ts";
import { unmapMappingPages } from "../mm/truncate.ts";
import { hexAddr, vmaText } from "../mm/trace_text.ts";
import { daxFaultChain, devdaxFaultChain } from "./dax_trace.ts";

const PAGE = 4096;

/** Where the DAX filesystem is mounted. */
export const DAX_MOUNT = "/mnt/pmem";
/** The device-dax node. */
export const DEVDAX_PATH = "/dev/dax0.0";
/** The default persistent memory of a REPL machine: 256 MiB. */
export const DEFAULT_PMEM_BYTES = 256 << 20;

/**
 * The pmem block allocator of the DAX filesystem (a stand-in for ext4's
 * mballoc over /dev/pmem0): a LIFO stack of free block frames, so the
 * block freed last is the next one handed out.
 */
export class PmemBlocks {
  private readonly stack: number[] = [];
  private readonly freeSet = new Set<number>();
  /** Which file page each allocated block holds: pfn -> [ino, index]. */
  readonly owner: Map<number, readonly [number, number]> = new Map();

  /** An allocator of the `count` block frames starting at pfn `first`, all free. */
  constructor(readonly first: number, readonly count: number) {
    // Highest first on the stack bottom, so allocation ascends from `first`.
    for (let p = first + count - 1; p >= first; p--) {
      this.stack.push(p);
      this.freeSet.add(p);
    }
  }

  /** A free block for page `index` of inode `ino`, or -1 (ENOSPC). */
  alloc(ino: number, index: number): number {
    const pfn = this.stack.pop();
    if (pfn === undefined) return -1;
    this.freeSet.delete(pfn);
    this.owner.set(pfn, [ino, index]);
    return pfn;
  }

  /** The block {@link alloc} would hand out now, or -1 (lib/trace/explain_dax.ts asks). */
  peek(): number {
    return this.stack.length === 0 ? -1 : this.stack[this.stack.length - 1];
  }

  /** Gives a block back: it is the next one {@link alloc} returns. */
  release(pfn: number): void {
    if (this.freeSet.has(pfn)) throw new Error(`pmem block ${pfn.toString(16)} freed twice`);
    this.owner.delete(pfn);
    this.stack.push(pfn);
    this.freeSet.add(pfn);
  }

  /** Takes a free block out for good (memory failure: badblocks). */
  retire(pfn: number): boolean {
    if (!this.freeSet.has(pfn)) return false;
    this.freeSet.delete(pfn);
    this.stack.splice(this.stack.indexOf(pfn), 1);
    return true;
  }

  /** Whether the block is free. */
  isFree(pfn: number): boolean {
    return this.freeSet.has(pfn);
  }

  /** Number of free blocks. */
  get freeCount(): number {
    return this.stack.length;
  }

  /** Whether the frame is one of this allocator's blocks. */
  contains(pfn: number): boolean {
    return pfn >= this.first && pfn < this.first + this.count;
  }
}

/** A DAX inode's block map (i_private): page index -> pmem frame. */
export class DaxInode {
  /** Page index -> pmem frame of each allocated block. */
  readonly blocks: Map<number, number> = new Map();
  /** A notify-kill layout break in progress: its virtual-clock deadline, or -1. */
  breakDeadline: number = -1;
}

/** The machine's persistent memory: the two namespaces and the DAX filesystem on one. */
export class PmemDevice {
  /** The block allocator of the DAX filesystem's namespace. */
  readonly blocks: PmemBlocks;
  /** The device-dax namespace: pfn range [devdaxFirst, devdaxFirst + devdaxPages). */
  readonly devdaxFirst: number;
  /** Number of device-dax pages. */
  readonly devdaxPages: number;
  /**
   * Tasks waiting for a DAX page to go idle (fs/dax.c: wait_var_event on the
   * page's refcount); woken whenever a pmem page loses a reference.
   */
  readonly idle: WaitQueue = new WaitQueue("dax page idle");
  /** The filesystem's superblock (ext4 on /dev/pmem0, 259:1). */
  readonly sb: SuperBlock;

  /** Splits `pages` frames from `first`: the last quarter (rounded down) for device-dax, the rest for the filesystem. */
  constructor(first: number, pages: number) {
    const dev = Math.floor(pages / 4);
    this.blocks = new PmemBlocks(first, pages - dev);
    this.devdaxFirst = first + pages - dev;
    this.devdaxPages = dev;
    this.sb = PMEM_SB;
  }
}

/** The DAX state of an inode of the DAX filesystem (null for any other). */
export function daxInode(inode: Inode): DaxInode | null {
  return inode.dax && inode.kind === "regular" && inode.priv instanceof DaxInode
    ? inode.priv
    : null;
}

/**
 * The pmem frame holding page `index` of a DAX file, allocating it if
 * `create`. A new block replaces the hole: the zero page a read fault
 * mapped there is unmapped from every mapping of the file (fs/dax.c
 * dax_insert_entry() for a fault, dax_iomap_iter()'s
 * invalidate_inode_pages2_range() for write(2); private COW copies stay).
 */
export function daxBlock(
  m: Machine,
  inode: Inode,
  index: number,
  create: boolean,
  via = "dax_iomap_rw → dax_iomap_iter → invalidate_inode_pages2_range",
): number {
  const d = daxInode(inode)!;
  const have = d.blocks.get(index);
  if (have !== undefined || !create) return have ?? -1;
  const pmem = m.pmem!;
  const pfn = pmem.blocks.alloc(inode.ino, index);
  if (pfn < 0) return -1;
  // A new block is zeroed before it is mapped (ext4 DAX: pre-zeroed blocks).
  m.frames.zero(pfn);
  d.blocks.set(index, pfn);
  if (m.trace !== null && via !== "" && holeMapped(m, inode, index)) {
    m.trace.step(
      `${via} → unmap_mapping_pages`,
      `a new block replaces the hole at pgoff ${index}: its zero page is unmapped everywhere`,
    );
  }
  unmapMappingPages(m, inode, index, index + 1, false);
  return pfn;
}

/** Whether some mapping of the file maps the zero page at page `index` (trace text only). */
function holeMapped(m: Machine, inode: Inode, index: number): boolean {
  for (const v of inode.mappings) {
    if (index < v.pgoff || index >= v.pgoff + v.pages) continue;
    const vpn = (v.start + (index - v.pgoff) * PAGE) / PAGE;
    if ((v.mm.pt.bitsAt(vpn) & PTE_PRESENT) && v.mm.pt.pfnAt(vpn) === m.frames.zeroPfn) {
      return true;
    }
  }
  return false;
}

/**
 * ext4_dax_fault() -> ext4_dax_huge_fault() -> fs/dax.c dax_iomap_fault()
 * -> dax_iomap_pte_fault(), for ->fault and for ->pfn_mkwrite (`mkwrite`:
 * a write to the zero page of a hole in a shared mapping). In the kernel's
 * order:
 * 1. at or past EOF: VM_FAULT_SIGBUS;
 * 2. ext4_dax_huge_fault() asks iomap for a write (IOMAP_WRITE, which
 *    allocates a zeroed block for a hole) only in a shared mapping; a
 *    private write fault has vmf->cow_page instead;
 * 3. dax_fault_iter(): a private write copies the block into the COW page,
 *    or clears it for a hole (dax_fault_cow_page; the core maps the copy);
 *    a read of a hole maps the shared zero page, read-only, special: no
 *    block is allocated (dax_load_hole); a poisoned block is
 *    VM_FAULT_HWPOISON (dax_iomap_direct_access: -EHWPOISON); otherwise
 *    the block's frame is mapped here, writable and dirty for a write
 *    (vmf_insert_page_mkwrite with write set; vmf_insert_mixed_mkwrite is
 *    gone since 6.15), read-only for a read in a shared mapping
 *    (write-notify), and VM_FAULT_NOPAGE goes back.
 * PMD faults (dax_iomap_pmd_fault, dax_pmd_load_hole's huge zero page) are
 * not modelled: mmlab maps 4 KiB pages.
 */
function daxIomapPteFault(vmf: VmFault, mkwrite: boolean): number {
  const vma = vmf.vma;
  const m = vma.mm.machine;
  const inode = vma.file!.inode;
  const tr = m.trace;
  const at = tr === null ? "" : daxFaultChain(vmf, mkwrite);
  if (vmf.pgoff >= inode.sizePages) {
    tr?.step(at, `pgoff ${vmf.pgoff} at or past i_size ${inode.size}: VM_FAULT_SIGBUS`, {
      errno: "VM_FAULT_SIGBUS",
    });
    return VM_FAULT_SIGBUS;
  }
  // ext4_dax_huge_fault(): write = FAULT_FLAG_WRITE && VM_SHARED.
  const cow = vmf.write && !(vma.flags & VM_SHARED);
  const write = vmf.write && !cow;
  tr?.step(
    at,
    `pgoff ${vmf.pgoff}: ${
      write ? "IOMAP_WRITE" : cow ? "private write: vmf->cow_page, no IOMAP_WRITE" : "read"
    }`,
    { vma: vmaText(vma) },
  );
  const had = daxBlock(m, inode, vmf.pgoff, false);
  const zeroMapped = tr !== null && had < 0 && write && holeMapped(m, inode, vmf.pgoff);
  const pfn = had < 0 && write ? daxBlock(m, inode, vmf.pgoff, true, "") : had;
  const frames = m.frames;
  if (tr !== null) {
    const begin = `${at} → iomap_iter → ext4_iomap_begin`;
    if (pfn < 0 && write) {
      tr.step(begin, "no free pmem block: -ENOSPC: VM_FAULT_SIGBUS", { errno: "VM_FAULT_SIGBUS" });
    } else if (pfn < 0) tr.step(begin, "IOMAP_HOLE: no block");
    else if (had < 0) {
      tr.step(begin, `IOMAP_MAPPED|IOMAP_F_NEW: a zeroed block allocated, pfn ${hexAddr(pfn)}`, {
        pfn,
      });
    } else tr.step(begin, `IOMAP_MAPPED: block pfn ${hexAddr(pfn)}`, { pfn });
  }
  if (pfn < 0 && write) return VM_FAULT_SIGBUS; // ENOSPC
  if (zeroMapped) {
    tr!.step(
      `${at} → dax_fault_iter → dax_insert_entry → unmap_mapping_pages`,
      `the zero page of the hole at pgoff ${vmf.pgoff} is unmapped from every mapping`,
    );
  }
  const poisoned = pfn >= 0 && (frames.flags[pfn] & PG_HWPOISON) !== 0;
  if (cow) {
    if (poisoned) {
      tr?.step(
        `${at} → dax_fault_iter → dax_fault_cow_page → copy_cow_page_dax`,
        `block pfn ${hexAddr(pfn)} is poisoned: -EHWPOISON: VM_FAULT_HWPOISON`,
        { errno: "VM_FAULT_HWPOISON", pfn },
      );
      return VM_FAULT_HWPOISON;
    }
    tr?.step(
      `${at} → dax_fault_iter → dax_fault_cow_page`,
      pfn < 0
        ? "hole: the COW page is cleared (clear_user_highpage), no block allocated"
        : `block pfn ${hexAddr(pfn)} copied into the COW page (copy_cow_page_dax)`,
    );
    // do_cow_fault() copies it: the zero page copies as a cleared page.
    vmf.page = pfn < 0 ? frames.zeroPfn : pfn;
    return 0;
  }
  const mm = vma.mm;
  if (pfn < 0) {
    tr?.step(
      `${at} → dax_fault_iter → dax_load_hole → vmf_insert_page_mkwrite`,
      "read of a hole: the shared zero page, mapped read-only (no block allocated)",
      { pfn: frames.zeroPfn },
    );
    mm.pt.set(vmf.address / PAGE, frames.zeroPfn, PTE_PRESENT | PTE_SPECIAL | PTE_YOUNG);
    return VM_FAULT_NOPAGE;
  }
  if (poisoned) {
    tr?.step(
      `${at} → dax_fault_iter → dax_iomap_direct_access`,
      `block pfn ${hexAddr(pfn)} is poisoned: -EHWPOISON: VM_FAULT_HWPOISON`,
      { errno: "VM_FAULT_HWPOISON", pfn },
    );
    return VM_FAULT_HWPOISON;
  }
  tr?.step(
    `${at} → dax_fault_iter → vmf_insert_page_mkwrite`,
    write
      ? `block pfn ${hexAddr(pfn)} mapped writable and dirty`
      : `block pfn ${hexAddr(pfn)} mapped${
        vma.flags & VM_SHARED ? " read-only (write-notify)" : ""
      }`,
    { pfn },
  );
  mapFilePage(mm, vma, vmf.address, pfn, write);
  return VM_FAULT_NOPAGE;
}

/**
 * ext4_dax_vm_ops: ->fault, ->page_mkwrite (so shared mappings
 * write-notify) and ->pfn_mkwrite, all ext4_dax_fault in the kernel.
 */
export const DAX_VM_OPS: VmOperations = {
  fault: (vmf) => daxIomapPteFault(vmf, false),
  pageMkwrite: () => 0,
  pfnMkwrite: (vmf) => daxIomapPteFault(vmf, true),
};

/**
 * fs/ext4/file.c ext4_file_mmap_prepare() on a DAX inode: ext4_dax_vm_ops
 * and VM_HUGEPAGE (smaps `hg`); MAP_SYNC is allowed (daxdev_mapping_supported).
 */
function daxMmapPrepare(desc: VmAreaDesc): number {
  desc.vmOps = DAX_VM_OPS;
  desc.vmFlags |= VM_HUGEPAGE;
  return 0;
}

/**
 * fs/dax.c dax_iomap_rw() (ext4_dax_read_iter / ext4_dax_write_iter): a
 * read copies from the blocks (holes read as zeros) up to i_size; a write
 * allocates blocks as it goes, copies into them and grows i_size. A fault
 * in the user buffer ends the copy: the bytes before it, or EFAULT.
 */
function daxRwIter(p: Process, file: OpenFile, req: IterRequest): SysOut | number {
  const m = p.machine;
  const inode = file.inode;
  const frames = m.frames;
  const { write, addr, pos } = req;
  if (!write) {
    if (pos >= inode.size || req.count === 0) return { ret: 0, data: new Uint8Array(0) };
    const n = Math.min(req.count, inode.size - pos);
    const out = new Uint8Array(n);
    for (let done = 0; done < n;) {
      const at = pos + done, off = at % PAGE;
      const len = Math.min(n - done, PAGE - off);
      const pfn = daxBlock(m, inode, Math.floor(at / PAGE), false);
      // dax_copy_to_iter() stops at a poisoned block (machine-check safe copy): EIO.
      if (pfn >= 0 && (frames.flags[pfn] & PG_HWPOISON)) {
        if (done === 0) return -EIO;
        return addr === null ? { ret: done, data: out.subarray(0, done) } : done;
      }
      const bytes = pfn >= 0 ? frames.peekBytes(pfn) : undefined;
      if (bytes !== undefined) out.set(bytes.subarray(off, off + len), done);
      done += len;
    }
    if (addr !== null) {
      const left = copyToUser(p, addr, out);
      if (left === n) return -EFAULT;
      return { ret: n - left, data: out.subarray(0, n - left) };
    }
    return { ret: n, data: out };
  }
  if (req.count === 0) return 0;
  let data: Uint8Array;
  if (addr !== null) {
    data = copyFromUser(p, addr, req.count);
    if (data.length === 0) return -EFAULT;
  } else {
    data = new Uint8Array(req.count);
    if (req.data !== null) data.set(req.data.subarray(0, req.count));
  }
  let done = 0;
  while (done < data.length) {
    const at = pos + done, off = at % PAGE;
    const len = Math.min(data.length - done, PAGE - off);
    const pfn = daxBlock(m, inode, Math.floor(at / PAGE), true);
    if (pfn < 0) break;
    for (let i = 0; i < len; i++) frames.writeByte(pfn, off + i, data[done + i]);
    frames.flags[pfn] |= PG_DIRTY;
    done += len;
  }
  if (done === 0) return -ENOSPC;
  if (pos + done > inode.size) inode.size = pos + done;
  return done;
}

/**
 * ext4_llseek() on a DAX inode: SEEK_SET/CUR/END as any ext4 file;
 * SEEK_DATA/SEEK_HOLE by iomap over the block map (a block is data once
 * allocated: no delayed allocation without a page cache).
 */
function daxLlseek(_p: Process, file: OpenFile, offset: bigint, whence: number): bigint {
  const inode = file.inode;
  const size = BigInt(inode.size);
  if (whence !== SEEK_DATA && whence !== SEEK_HOLE) {
    return genericFileLlseekSize(file, offset, whence, inode.maxBytes, size);
  }
  if (offset < 0n) return -BigInt(ENXIO);
  const r = seekHoleData(offset, size, whence, daxInode(inode)!.blocks.keys());
  return r < 0n ? r : vfsSetpos(file, r, inode.maxBytes);
}

/**
 * ext4_evict_inode() of an unlinked DAX file nothing holds any more: its
 * blocks go back to the allocator (dax_break_layout_final first waits,
 * uninterruptibly, for pins; nothing can wait here, so pinned blocks are
 * freed as they are).
 */
export function daxEvictInode(m: Machine, inode: Inode): void {
  const d = daxInode(inode);
  if (d === null || m.pmem === null) return;
  for (const pfn of d.blocks.values()) m.pmem.blocks.release(pfn);
  d.blocks.clear();
}

/** ext4_file_operations for a DAX inode: the same table, with the DAX paths. */
export const DAX_FILE_OPS: FileOperations = {
  name: "ext4_file_operations",
  fopFlags: FOP_MMAP_SYNC,
  getUnmappedArea: thpGetUnmappedArea,
  mmapPrepare: daxMmapPrepare,
  rwIter: daxRwIter,
  llseek: daxLlseek,
};

/**
 * The DAX filesystem's superblock: ext4 on /dev/pmem0 (259:1, after the
 * NVMe disk's 259:0), mounted -o dax=always: every regular file is S_DAX.
 */
export const PMEM_SB: SuperBlock = {
  major: 259,
  minor: 1,
  noexec: false,
  punchHole: true,
  name: "ext4",
  maxBytes: 0xffffffff000,
  ops: {
    regular: { fop: DAX_FILE_OPS, iop: EXT4_INODE_OPS, iflags: EXT4_EXTENTS_FL },
  },
};

/** Makes a new inode of the DAX filesystem S_DAX, with an empty block map. */
export function daxInitInode(inode: Inode): void {
  inode.dax = true;
  inode.priv = new DaxInode();
}

/**
 * drivers/dax/device.c dax_mmap() + dev_dax_huge_fault() for /dev/dax0.0:
 * MAP_SHARED only (check_vma: `dax: ... fail, attempted private mapping`
 * is -EINVAL), VM_HUGEPAGE; a fault maps the namespace's frame at the
 * offset (past the device's end: SIGBUS). Not fsdax: long-term pins are
 * allowed, and there is no truncate.
 */
function devdaxMmapPrepare(desc: VmAreaDesc): number {
  if (!(desc.vmFlags & VM_SHARED)) return -EINVAL;
  desc.vmOps = DEVDAX_VM_OPS;
  desc.vmFlags |= VM_HUGEPAGE;
  return 0;
}

function devdaxFault(vmf: VmFault): number {
  const m = vmf.vma.mm.machine;
  const pmem = m.pmem;
  if (pmem === null) return VM_FAULT_SIGSEGV;
  if (vmf.pgoff >= pmem.devdaxPages) {
    m.trace?.step(
      devdaxFaultChain(vmf),
      `pgoff ${vmf.pgoff} past the device's ${pmem.devdaxPages} pages: VM_FAULT_SIGBUS`,
      { errno: "VM_FAULT_SIGBUS" },
    );
    return VM_FAULT_SIGBUS;
  }
  vmf.page = pmem.devdaxFirst + vmf.pgoff;
  m.trace?.step(
    devdaxFaultChain(vmf),
    `dax_pgoff_to_phys: pgoff ${vmf.pgoff} is pfn ${hexAddr(vmf.page)} of namespace0.1`,
    { pfn: vmf.page },
  );
  return 0;
}

const DEVDAX_VM_OPS: VmOperations = { fault: devdaxFault };

/**
 * drivers/dax/device.c dax_fops: open, mmap, get_unmapped_area; no
 * read_iter/write_iter (read and write are EINVAL in vfs_read/vfs_write).
 */
export const DEVDAX_FOPS: FileOperations = {
  name: "dax_fops",
  fopFlags: 0,
  getUnmappedArea: thpGetUnmappedArea,
  mmapPrepare: devdaxMmapPrepare,
  read: () => -EINVAL,
  write: () => -EINVAL,
};
