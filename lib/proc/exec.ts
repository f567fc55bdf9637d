/**
 * The initial program image: what a small dynamically linked program's
 * address space looks like right after execve and ld.so on this kernel
 * without ASLR (`setarch -R`), captured from /proc/PID/maps and smaps on
 * Linux 6.18.44: program segments at 0x555555554000, [heap], libc, the
 * vDSO, ld.so ending at mmap_base 0x7ffff7fff000, [stack] below
 * TASK_SIZE, [vsyscall] (not a VMA) printed last.
 * @module
 */

import type { Process } from "./process.ts";
import { Vma } from "../mm/vma.ts";
import { vmaLink } from "../mm/vma_ops.ts";
import {
  set,
  VM_ACCOUNT,
  VM_DONTDUMP,
  VM_DONTEXPAND,
  VM_EXEC,
  VM_GROWSDOWN,
  VM_IO,
  VM_MAYEXEC,
  VM_MAYREAD,
  VM_MAYWRITE,
  VM_PFNMAP,
  VM_READ,
  VM_WRITE,
} from "../mm/vm_flags.ts";
import { O_RDONLY } from "../abi/mman.ts";
import type { OpenFile } from "../fs/file.ts";
import { VDSO_OPS, VVAR_OPS, VVAR_VCLOCK_OPS } from "./special.ts";
import type { VmOperations } from "../mm/vm_ops.ts";
import type { VmAreaDesc } from "../mm/file_operations.ts";

const R = VM_READ | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
const RX = R | VM_EXEC;
const RW = R | VM_WRITE;

/** One segment: [start, end), flags, file page offset (or -1 for anonymous). */
type Seg = [start: number, end: number, flags: number, pgoff: number];

const PROG: Seg[] = [
  [0x555555554000, 0x555555556000, R, 0],
  [0x555555556000, 0x55555555b000, RX, 2],
  [0x55555555b000, 0x55555555e000, R, 7],
  [0x55555555e000, 0x55555555f000, set(R, VM_ACCOUNT), 9],
  [0x55555555f000, 0x555555560000, set(RW, VM_ACCOUNT), 10],
];
const LIBC: Seg[] = [
  [0x7ffff7dd5000, 0x7ffff7dfb000, R, 0],
  [0x7ffff7dfb000, 0x7ffff7f51000, RX, 0x26],
  [0x7ffff7f51000, 0x7ffff7fa4000, R, 0x17c],
  [0x7ffff7fa4000, 0x7ffff7fa8000, set(R, VM_ACCOUNT), 0x1cf],
  [0x7ffff7fa8000, 0x7ffff7faa000, set(RW, VM_ACCOUNT), 0x1d3],
];
const LDSO: Seg[] = [
  [0x7ffff7fca000, 0x7ffff7fcb000, R, 0],
  [0x7ffff7fcb000, 0x7ffff7ff1000, RX, 1],
  [0x7ffff7ff1000, 0x7ffff7ffb000, R, 0x27],
  [0x7ffff7ffb000, 0x7ffff7ffd000, set(R, VM_ACCOUNT), 0x31],
  [0x7ffff7ffd000, 0x7ffff7fff000, set(RW, VM_ACCOUNT), 0x33],
];

export const PROG_PATH = "/usr/bin/prog";
export const LIBC_PATH = "/usr/lib/x86_64-linux-gnu/libc.so.6";
export const LDSO_PATH = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2";

/** Builds pid's initial address space (load_elf_binary + ld.so, condensed). */
export function execInitialImage(p: Process): void {
  const m = p.machine;
  const mm = p.mm;
  const file = (path: string, size: number): OpenFile => {
    const inode = m.fs.lookup(path) ?? m.fs.create(path, size);
    inode.mode = 0o755;
    const f = m.openInode(inode, O_RDONLY);
    f.refs = 0; // held by the VMAs only
    return f;
  };
  const add = (seg: Seg, f: OpenFile | null, ops: VmOperations | null = null): Vma => {
    const [start, end, flags, pgoff] = seg;
    const v = new Vma(
      mm,
      start,
      end,
      flags,
      f === null ? (pgoff < 0 ? start / 4096 : 0) : pgoff,
      f,
    );
    v.ops = ops;
    if (f !== null) {
      // vm_mmap() of an ELF segment: the file's ->mmap_prepare gives the vm_ops.
      const desc: VmAreaDesc = {
        start,
        end,
        pgoff,
        file: f,
        vmFlags: flags,
        vmOps: null,
        priv: null,
      };
      f.fop.mmapPrepare?.(desc);
      v.ops = desc.vmOps;
    }
    vmaLink(mm, v);
    // Written segments have met their first write fault: they own an anon_vma.
    if (flags & VM_WRITE || flags & VM_ACCOUNT) v.anonVma = m.newAnonVma();
    return v;
  };
  const prog = file(PROG_PATH, 44016);
  for (const s of PROG) add(s, prog);
  add([0x555555560000, 0x555555581000, set(RW, VM_ACCOUNT), -1], null);
  mm.startCode = 0x555555556000;
  mm.endCode = 0x55555555b000;
  mm.startBrk = 0x555555560000;
  mm.brk = 0x555555581000;
  add([0x7ffff7dd2000, 0x7ffff7dd5000, set(RW, VM_ACCOUNT), -1], null);
  const libc = file(LIBC_PATH, 1922136);
  for (const s of LIBC) add(s, libc);
  add([0x7ffff7faa000, 0x7ffff7fb7000, set(RW, VM_ACCOUNT), -1], null);
  add([0x7ffff7fc0000, 0x7ffff7fc2000, set(RW, VM_ACCOUNT), -1], null);
  const special = VM_READ | VM_MAYREAD | VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
  add([0x7ffff7fc2000, 0x7ffff7fc6000, special, 0], null, VVAR_OPS).anonVma = null;
  add([0x7ffff7fc6000, 0x7ffff7fc8000, special, 0], null, VVAR_VCLOCK_OPS).anonVma = null;
  const vdso = RX | VM_DONTEXPAND;
  add([0x7ffff7fc8000, 0x7ffff7fca000, vdso, 0], null, VDSO_OPS).anonVma = null;
  const ldso = file(LDSO_PATH, 0x3b2f0);
  for (const s of LDSO) add(s, ldso);
  add([0x7ffffffde000, 0x7ffffffff000, set(RW, VM_ACCOUNT | VM_GROWSDOWN), -1], null);
  mm.startStack = 0x7fffffffe3b0;
}
