/**
 * Signals and `si_code` values as x86-64 Linux delivers them for memory
 * faults (`include/uapi/asm-generic/siginfo.h`), named as strace names them.
 * @module
 */

export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGTERM = 15;
export const SIGIO = 29;
/** SIGBUS: bus error (access beyond a file's end, hardware memory error). */
export const SIGBUS = 7;
/** SIGSEGV: invalid memory reference (no VMA, or a protection fault). */
export const SIGSEGV = 11;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGURG = 23;
export const SIGWINCH = 28;

export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const SEGV_PKUERR = 4;
export const BUS_ADRALN = 1;
export const BUS_ADRERR = 2;
export const BUS_OBJERR = 3;
export const BUS_MCEERR_AR = 4;
export const BUS_MCEERR_AO = 5;
export const SI_KERNEL = 0x80;

const SIGNAL_NAMES: Record<number, string> = {
  [SIGKILL]: "SIGKILL",
  [SIGUSR1]: "SIGUSR1",
  [SIGTERM]: "SIGTERM",
  [SIGIO]: "SIGIO",
  [SIGBUS]: "SIGBUS",
  [SIGSEGV]: "SIGSEGV",
  [SIGCHLD]: "SIGCHLD",
  [SIGCONT]: "SIGCONT",
  [SIGURG]: "SIGURG",
  [SIGWINCH]: "SIGWINCH",
};

/** The name of a signal number (`SIGSEGV`). */
export function signalName(signo: number): string {
  return SIGNAL_NAMES[signo] ?? `SIG${signo}`;
}

/** The strace name of an `si_code` for a given signal. */
export function siCodeName(signo: number, code: number): string {
  if (code === SI_KERNEL) return "SI_KERNEL";
  if (code === 0) return "SI_USER";
  if (signo === SIGSEGV) {
    if (code === SEGV_MAPERR) return "SEGV_MAPERR";
    if (code === SEGV_ACCERR) return "SEGV_ACCERR";
    if (code === SEGV_PKUERR) return "SEGV_PKUERR";
  }
  if (signo === SIGBUS) {
    if (code === BUS_ADRALN) return "BUS_ADRALN";
    if (code === BUS_ADRERR) return "BUS_ADRERR";
    if (code === BUS_OBJERR) return "BUS_OBJERR";
    if (code === BUS_MCEERR_AR) return "BUS_MCEERR_AR";
    if (code === BUS_MCEERR_AO) return "BUS_MCEERR_AO";
  }
  return String(code);
}

/** A synchronous fault signal as the kernel fills `siginfo_t`. */
export interface SigInfo {
  /** `si_signo`: SIGSEGV, SIGBUS, ... */
  signo: number;
  /** `si_code`: SEGV_MAPERR, BUS_ADRERR, SI_KERNEL, ... */
  code: number;
  /** The faulting address (CR2), exact byte; 0 for SI_KERNEL (#GP). */
  addr: number;
  /** `si_addr_lsb` for BUS_MCEERR_*; absent otherwise. */
  addrLsb?: number;
  /** `si_pid` of the sender of an SI_USER signal (kill(2)). */
  pid?: number;
}
