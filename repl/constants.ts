/**
 * The names a command line may use for numbers: the `<sys/mman.h>` and
 * `<fcntl.h>` constants exported by mod.ts (PROT_*, MAP_*, MADV_*, ...),
 * memfd_create's MFD_* flags (`<linux/memfd.h>`),
 * the fault signals, the signal handlers, the clone flags, and NULL. Each belongs to a
 * family, which is what a syscall argument kind expects (completion offers
 * the family of the argument under the cursor).
 * @module
 */

import {
  type ArgKind,
  CLONE_FLAG_NAMES,
  EFD_NAMES,
  FOLL_NAMES,
  HMM_PFN_REQ_NAMES,
  IBV_ACCESS_NAMES,
  IOCTL_CONSTANTS,
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  MFD_EXEC,
  MFD_HUGETLB,
  MFD_NOEXEC_SEAL,
  mman,
  RESOURCE_CONSTANTS,
  SIG_CATCH,
  SIG_DFL,
  SIG_IGN,
  signalName,
} from "../mod.ts";

/** A named constant. */
export interface Constant {
  name: string;
  value: bigint;
  /** The prefix family, e.g. "PROT_"; "" for NULL. */
  family: string;
  /**
   * When set, the name exists only under this policy value (a proposal
   * that never reached the kernel's headers).
   */
  policy?: { knob: string; value: string };
}

/** Name prefixes of the families, longest first where they overlap. */
const FAMILIES = [
  "PROT_",
  "MAP_",
  "MADV_",
  "MREMAP_",
  "MLOCK_",
  "MCL_",
  "MS_",
  "O_",
  "FALLOC_FL_",
  "SEEK_",
  "RAP_",
  "F_",
] as const;

/** ioctl requests and the flags of their structs (lib/abi/ioctl.ts), longest prefix first. */
const IOCTL_FAMILIES = [
  "FS_IOC_",
  "UFFDIO_REGISTER_MODE_",
  "UFFDIO_",
  "UFFD_",
  "FI",
  "TC",
  "VFIO_",
];

/** mman exports that are not user-visible header constants. */
const NOT_IN_HEADERS = new Set(["LEGACY_MAP_MASK", "MAP_HUGE_MASK", "MAP_HUGE_SHIFT"]);

/** Names that exist only under a policy (see lib/abi/mman.ts). */
const POLICY_ONLY: Record<string, { knob: string; value: string }> = {
  MADV_USERFAULT: { knob: "uffd.madv18", value: "userfault-rfc" },
  MADV_NOUSERFAULT: { knob: "uffd.madv18", value: "userfault-rfc" },
  RAP_ALLOW_SRC_HOLES: { knob: "uffd.remap", value: "remap_anon_pages-rfc" },
  F_LAYOUT: { knob: "dax.layoutLease", value: "rfc-2019" },
  PROT_USERFAULT: { knob: "uffd.rfcDesign", value: "mprotect+userfaultfd" },
};

function build(): Map<string, Constant> {
  const out = new Map<string, Constant>();
  const add = (c: Constant) => out.set(c.name, c);
  add({ name: "NULL", value: 0n, family: "" });
  for (const [name, v] of Object.entries(mman)) {
    if (typeof v !== "number" || NOT_IN_HEADERS.has(name)) continue;
    const family = FAMILIES.find((f) => name.startsWith(f));
    if (family === undefined) continue;
    add({
      name,
      value: BigInt(v),
      family,
      policy: Object.hasOwn(POLICY_ONLY, name) ? POLICY_ONLY[name] : undefined,
    });
  }
  // <linux/memfd.h>: memfd_create's flags.
  const mfd = { MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB, MFD_NOEXEC_SEAL, MFD_EXEC };
  for (const [name, v] of Object.entries(mfd)) add({ name, value: BigInt(v), family: "MFD_" });
  // <sys/eventfd.h>: eventfd2's flags.
  for (const [name, v] of EFD_NAMES) add({ name, value: BigInt(v), family: "EFD_" });
  // glibc's <sys/mman.h> aliases.
  add({ name: "MAP_ANON", value: BigInt(mman.MAP_ANONYMOUS), family: "MAP_" });
  add({ name: "MAP_FILE", value: 0n, family: "MAP_" });
  for (let s = 1; s <= 64; s++) {
    const name = signalName(s);
    if (name !== `SIG${s}`) add({ name, value: BigInt(s), family: "SIG" });
  }
  add({ name: "SIG_DFL", value: BigInt(SIG_DFL), family: "SIG_" });
  add({ name: "SIG_IGN", value: BigInt(SIG_IGN), family: "SIG_" });
  add({ name: "SIG_CATCH", value: BigInt(SIG_CATCH), family: "SIG_" });
  for (const [name, v] of CLONE_FLAG_NAMES) add({ name, value: BigInt(v), family: "CLONE_" });
  // mm/gup.c's FOLL_* flags, for the pin_user_pages command.
  for (const [name, v] of FOLL_NAMES) add({ name, value: BigInt(v), family: "FOLL_" });
  // include/linux/hmm.h request flags, for the hmm_range_fault command.
  for (const [name, v] of HMM_PFN_REQ_NAMES) add({ name, value: v, family: "HMM_PFN_" });
  for (const [name, value] of RESOURCE_CONSTANTS) {
    add({ name, value, family: name.startsWith("RLIMIT_") ? "RLIMIT_" : "RLIM_" });
  }
  // libibverbs' <infiniband/verbs.h>: ibv_reg_mr's access flags.
  for (const [name, v] of IBV_ACCESS_NAMES) add({ name, value: BigInt(v), family: "IBV_ACCESS_" });
  for (const [name, value] of IOCTL_CONSTANTS) {
    add({ name, value, family: IOCTL_FAMILIES.find((f) => name.startsWith(f)) ?? "" });
  }
  return out;
}

/** Every constant by name. */
export const CONSTANTS: ReadonlyMap<string, Constant> = build();

/** The families an argument kind takes, for completion and help. */
export const KIND_FAMILIES: Partial<Record<ArgKind, readonly string[]>> = {
  addr: [""],
  prot: ["PROT_"],
  mapflags: ["MAP_"],
  advice: ["MADV_"],
  mremapflags: ["MREMAP_"],
  mlockflags: ["MLOCK_"],
  mcl: ["MCL_"],
  msflags: ["MS_"],
  oflags: ["O_"],
  falloc: ["FALLOC_FL_"],
  memfdflags: ["MFD_"],
  signal: ["SIG"],
  handler: ["SIG_"],
  ioctlreq: ["FS_IOC_", "FI", "TC", "UFFDIO_"],
  cloneflags: ["CLONE_"],
  whence: ["SEEK_"],
  resource: ["RLIMIT_"],
};

/** How help describes each argument kind. */
export const KIND_TEXT: Record<ArgKind, string> = {
  addr: "an address",
  len: "a length in bytes",
  int: "an integer",
  prot: "PROT_* flags",
  mapflags: "MAP_* flags",
  fd: "a file descriptor",
  off: "a file offset",
  advice: "an MADV_* advice",
  mremapflags: "MREMAP_* flags",
  mlockflags: "MLOCK_* flags",
  mcl: "MCL_* flags",
  msflags: "MS_* flags",
  oflags: "O_* flags",
  mode: "a mode (C octal, 0644)",
  falloc: "FALLOC_FL_* flags",
  signal: "a signal (SIGSEGV, SIGBUS)",
  handler: "SIG_DFL, SIG_IGN or SIG_CATCH",
  memfdflags: "MFD_* flags",
  path: 'a "string"',
  buf: 'an address or a "string"',
  ioctlreq: "an ioctl request (FIONREAD, FS_IOC_GETFLAGS, UFFDIO_REGISTER)",
  ioctlarg: "an int, an address, or a struct literal {field=value, ...}",
  cloneflags: "CLONE_* flags (| a signal number in the low byte)",
  timespec: "an address of a struct timespec, or {tv_sec=1, tv_nsec=0}",
  whence: "SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA or SEEK_HOLE",
  resource: "an RLIMIT_* resource",
  rlimit: "a struct rlimit: {rlim_cur=..., rlim_max=...} ({} to read one), or an address",
};

/** The constants of the given families, sorted by value then name. */
export function constantsOf(families: readonly string[]): Constant[] {
  return [...CONSTANTS.values()]
    .filter((c) => families.includes(c.family))
    .sort((
      a,
      b,
    ) => (a.value < b.value ? -1 : a.value > b.value ? 1 : a.name.localeCompare(b.name)));
}
