/**
 * A user access seen from mm: the MMU walk, and on a miss the x86 fault
 * entry (arch/x86/mm/fault.c do_user_addr_fault(): find the VMA, grow the
 * stack, access_error(), then handle_mm_fault()) with the signal the
 * kernel would send, not yet delivered (lib/arch/cpu.ts delivers it;
 * kernel-context callers turn it into -EFAULT). linux-mm.md §7.1.
 * @module
 */

import {
  BUS_ADRERR,
  BUS_MCEERR_AR,
  SEGV_ACCERR,
  SEGV_MAPERR,
  SI_KERNEL,
  SIGBUS,
  type SigInfo,
  SIGSEGV,
} from "../abi/signal.ts";
import { TASK_SIZE } from "../abi/layout.ts";
import { COST_FAULT_NS } from "../util/clock.ts";
import type { Process } from "../proc/process.ts";
import type { KnobValue } from "../policy.ts";
import type { Mm } from "./mm.ts";
import type { Vma } from "./vma.ts";
import {
  PTE_DIRTY,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_WRITE,
  PTE_YOUNG,
  pteModify,
} from "./pagetable.ts";
import { VM_EXEC, VM_GROWSDOWN, VM_READ, VM_WRITE } from "./vm_flags.ts";
import { handleMmFault } from "./fault.ts";
import {
  VM_FAULT_HWPOISON,
  VM_FAULT_OOM,
  VM_FAULT_RETRY,
  VM_FAULT_SIGBUS,
  VM_FAULT_SIGSEGV,
} from "./vm_ops.ts";
import { expandStack } from "./stack.ts";
import { faultLockEnter, faultLockExit } from "./mmap_lock.ts";
import { hexAddr, vmaText } from "./trace_text.ts";

/** The kind of access a fault or GUP walk makes (FAULT_FLAG_WRITE / FAULT_FLAG_INSTRUCTION). */
export type AccessKind = "read" | "write" | "exec";

/**
 * Not a signal: the "signal number" of a fault that handle_userfault()
 * queued. The faulting thread waits (Task.userfault says where) until the
 * handler resolves the page, then the access retries (lib/arch/cpu.ts).
 * Kernel-context callers treat it as any failed fault (a short copy).
 */
export const SIG_USERFAULT_WAIT = 0;

/** x86 access_error(): does the VMA permit this kind of access? */
export function accessError(vma: Vma, kind: AccessKind): boolean {
  if (kind === "write") return !(vma.flags & VM_WRITE);
  if (kind === "exec") return !(vma.flags & VM_EXEC);
  return !(vma.flags & (VM_READ | VM_WRITE | VM_EXEC));
}

/** A canonical x86-64 address: bits 63..47 all equal. */
export function isCanonical(addr: bigint): boolean {
  const top = addr >> 47n;
  return top === 0n || top === 0x1ffffn;
}

/** Policy `config.MEMORY_FAILURE`: whether the kernel handles memory errors. */
const MEMORY_FAILURE: Record<KnobValue<"config.MEMORY_FAILURE">, boolean> = { n: false, y: true };

/**
 * The si_code of do_sigbus() for VM_FAULT_HWPOISON: BUS_MCEERR_AR under
 * CONFIG_MEMORY_FAILURE, else BUS_ADRERR. Shared with lib/trace/explain.ts.
 */
export function hwpoisonSigbusCode(mm: Mm): number {
  return MEMORY_FAILURE[mm.machine.policy("config.MEMORY_FAILURE")] ? BUS_MCEERR_AR : BUS_ADRERR;
}

/**
 * do_user_addr_fault() for one access to page `addr & ~0xfff`. Returns null
 * when the page is now mapped as needed, or the signal.
 */
export function faultIn(p: Process, addr: number, kind: AccessKind): SigInfo | null {
  const tr = p.machine.trace;
  if (tr === null) return doUserAddrFault(p, addr, kind);
  tr.begin("do_user_addr_fault", `${kind} at ${hexAddr(addr)} by ${p.comm}:${p.pid}`);
  try {
    const sig = doUserAddrFault(p, addr, kind);
    tr.step("", faultOutcomeText(sig));
    return sig;
  } finally {
    tr.end();
  }
}

/** The trace's last line of a fault: what the task sees. */
function faultOutcomeText(sig: SigInfo | null): string {
  if (sig === null) return "resolved, the access retries and hits";
  if (sig.signo === SIG_USERFAULT_WAIT) return "the thread waits in handle_userfault";
  if (sig.signo === 9) return "VM_FAULT_OOM: the OOM killer runs";
  const name = sig.signo === SIGBUS
    ? "SIGBUS"
    : sig.signo === SIGSEGV
    ? "SIGSEGV"
    : `signal ${sig.signo}`;
  const code = sig.signo === SIGBUS
    ? (sig.code === BUS_ADRERR
      ? "BUS_ADRERR"
      : sig.code === BUS_MCEERR_AR
      ? "BUS_MCEERR_AR"
      : `${sig.code}`)
    : (sig.code === SEGV_MAPERR
      ? "SEGV_MAPERR"
      : sig.code === SEGV_ACCERR
      ? "SEGV_ACCERR"
      : `${sig.code}`);
  return `${name} ${code} si_addr=${hexAddr(sig.addr)}`;
}

function doUserAddrFault(p: Process, addr: number, kind: AccessKind): SigInfo | null {
  const mm = p.mm;
  const tr = p.machine.trace;
  if (addr >= TASK_SIZE) {
    tr?.step("bad_area_nosemaphore", "address at or above TASK_SIZE");
    return { signo: SIGSEGV, code: SEGV_MAPERR, addr };
  }
  let vma = mm.vmas.find(addr);
  if (vma === null) {
    tr?.step("lock_mm_and_find_vma → bad_area_nosemaphore", "no VMA at or above the address");
    return { signo: SIGSEGV, code: SEGV_MAPERR, addr };
  }
  if (vma.start > addr) {
    if (!(vma.flags & VM_GROWSDOWN) || expandStack(mm, vma, addr) !== 0) {
      tr?.step(
        "lock_mm_and_find_vma → bad_area_nosemaphore",
        vma.flags & VM_GROWSDOWN
          ? `${vmaText(vma)} is VM_GROWSDOWN but expand_stack failed`
          : `address in a hole below ${vmaText(vma)}`,
      );
      return { signo: SIGSEGV, code: SEGV_MAPERR, addr };
    }
    tr?.step("lock_mm_and_find_vma → expand_stack", `stack grown down to ${hexAddr(addr)}`);
    vma = mm.vmas.find(addr)!;
  }
  if (accessError(vma, kind)) {
    tr?.step("access_error → bad_area_access_error", `${vmaText(vma)} does not allow ${kind}`);
    return { signo: SIGSEGV, code: SEGV_ACCERR, addr };
  }
  tr?.step("lock_mm_and_find_vma", `${vmaText(vma)}; access_error: ${kind} allowed`);
  const page = addr - (addr % 4096);
  mm.machine.clock.advance(COST_FAULT_NS);
  // The fault runs under the mmap read lock, or only its VMA's (mmap_lock.ts).
  const took = faultLockEnter(mm, vma);
  let r: number;
  try {
    r = handleMmFault(mm, vma, page, addr, kind === "write");
  } finally {
    faultLockExit(mm, took);
  }
  // A driver's fault handler oopsed (lib/panic.ts): the task is dead.
  if (!p.alive) {
    tr?.step("", "the driver's fault handler oopsed: the task is dead");
    return { signo: 9, code: SI_KERNEL, addr };
  }
  if (r === 0) return null;
  // handle_userfault() queued the fault: the thread waits for the handler.
  if (r & VM_FAULT_RETRY) return { signo: SIG_USERFAULT_WAIT, code: 0, addr };
  if (r & VM_FAULT_OOM) {
    tr?.step("mm_fault_error → pagefault_out_of_memory", "VM_FAULT_OOM");
    return { signo: 9, code: SI_KERNEL, addr };
  }
  // arch/x86/mm/fault.c do_sigbus(): VM_FAULT_HWPOISON (a hwpoison entry,
  // a poisoned DAX block, a UFFDIO_POISON marker) is SIGBUS BUS_MCEERR_AR
  // with si_addr_lsb and `MCE: Killing ...` only under CONFIG_MEMORY_FAILURE
  // (policy config.MEMORY_FAILURE; off in this project's kernel, as on the
  // host: MADV_HWPOISON is EINVAL); without it, BUS_ADRERR. Checked on 6.18.44.
  if (r & VM_FAULT_HWPOISON) {
    tr?.step(
      "mm_fault_error → do_sigbus",
      `VM_FAULT_HWPOISON, config.MEMORY_FAILURE=${mm.machine.policy("config.MEMORY_FAILURE")}`,
    );
    if (!MEMORY_FAILURE[mm.machine.policy("config.MEMORY_FAILURE")]) {
      return { signo: SIGBUS, code: BUS_ADRERR, addr };
    }
    mm.machine.dmesg.log(
      "err",
      `MCE: Killing ${p.comm}:${p.pid} due to hardware memory corruption fault at ${
        addr.toString(16)
      }`,
    );
    return { signo: SIGBUS, code: BUS_MCEERR_AR, addr, addrLsb: 12 };
  }
  if (r & VM_FAULT_SIGBUS) {
    tr?.step("mm_fault_error → do_sigbus", "VM_FAULT_SIGBUS");
    return { signo: SIGBUS, code: BUS_ADRERR, addr };
  }
  if (r & VM_FAULT_SIGSEGV) {
    tr?.step("mm_fault_error → bad_area_nosemaphore", "VM_FAULT_SIGSEGV");
    return { signo: SIGSEGV, code: SEGV_MAPERR, addr };
  }
  return null;
}

/**
 * The pfn mapping `addr` for this access, faulting it in if needed, or the
 * signal the fault would raise (not delivered: kernel-context callers turn
 * it into -EFAULT).
 */
export function translate(p: Process, mm: Mm, addr: number, kind: AccessKind): number | SigInfo {
  const vpn = Math.floor(addr / 4096);
  const need = kind === "write" ? PTE_PRESENT | PTE_WRITE : PTE_PRESENT;
  for (let tries = 0; tries < 3; tries++) {
    const t = mm.pt.table(vpn, false);
    if (t !== undefined) {
      const b = t.bits[vpn & 511];
      if ((b & (need | PTE_PROTNONE)) === need) {
        // The MMU sets the accessed bit on every access and the dirty bit on
        // every write through a present PTE, not only on faults (x86 PTE A/D
        // bits): smaps Referenced after MADV_COLD/MADV_FREE and a re-read.
        const ad = PTE_YOUNG | (kind === "write" ? PTE_DIRTY : 0);
        if ((b & ad) !== ad) pteModify(t, vpn & 511, b | ad);
        return t.pfn[vpn & 511];
      }
    }
    const sig = faultIn(p, addr, kind);
    if (sig !== null && sig.signo === SIG_USERFAULT_WAIT) return sig;
    if (sig !== null) return sig;
  }
  throw new Error(`fault at ${addr.toString(16)} did not resolve`);
}
