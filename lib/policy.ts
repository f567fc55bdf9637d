/**
 * Named policies: every behaviour the kernel has changed over time, or that
 * the mailing-list debates proposed, is one knob here. Code asks
 * `machine.policy("fork.pinnedPages")`, never a version number, so each
 * alternative is one switch and `policy` in the REPL lists them all.
 *
 * Each knob carries its history (value by kernel version); an era preset
 * (`linux-4.14`) is that history evaluated at one version, and the RFC
 * presets add the proposals that never merged. The default is `linux-6.18`.
 *
 * A knob is listed only once code reads it: the module that does maps each
 * of its values to that value's behaviour with a `Record<KnobValue<K>, ...>`
 * (so a value without code is a type error), and tests/policy_test.ts fails
 * for a listed knob no module reads. Designed knobs wait in
 * {@link PLANNED_KNOBS}, refused everywhere, with the issue that brings them.
 * @module
 */

export interface KnobSpec {
  readonly values: readonly string[];
  /** [first kernel version with this value, value], oldest first. */
  readonly history: ReadonlyArray<readonly [string, string]>;
  readonly meaning: string;
  /** Which seed scenario or section it belongs to. */
  readonly area: string;
}

/** The policy knobs: for each, its allowed values (the first is Linux 6.18) and what it changes. */
export const KNOBS = {
  "fork.pinnedPages": {
    values: ["cow-steal", "early-copy"],
    history: [["2.6", "cow-steal"], ["5.9", "early-copy"]],
    meaning: "fork of an mm with FOLL_PIN-pinned anon pages: write-protect them like any page " +
      "(the parent's next write moves it off the DMA page) or copy them for the child at fork",
    area: "fork (linux-mm.md §8.3), seeds 001/004",
  },
  "mremap.multiVma": {
    values: ["efault", "allow"],
    history: [["2.6", "efault"], ["6.17", "allow"]],
    meaning: "MREMAP_FIXED with old_len == new_len spanning several VMAs and holes",
    area: "mremap (linux-mm.md §5.2)",
  },
  "gup.pinModel": {
    values: ["get", "pin"],
    history: [["2.6", "get"], ["5.7", "pin"]],
    meaning: "pin_user_pages accounting: a plain reference (+1, as FOLL_PIN itself was in " +
      "5.6) or the pin bias (+GUP_PIN_COUNTING_BIAS 1024, page_maybe_dma_pinned, " +
      "nr_foll_pin_* counters: 5.7)",
    area: "seed 001",
  },
  "gup.longtermWriteFileShared": {
    values: ["allow", "efault"],
    history: [["2.6", "allow"], ["6.5", "efault"]],
    meaning: "FOLL_LONGTERM|FOLL_WRITE pins of shared file pages needing writeback",
    area: "seed 001",
  },
  "gup.longtermFsdax": {
    values: ["allow", "eopnotsupp"],
    history: [["2.6", "allow"], ["4.15", "eopnotsupp"]],
    meaning: "FOLL_LONGTERM pins of fs-dax pages: taken like any page, or refused with " +
      "EOPNOTSUPP by check_vma_flags (get_user_pages_longterm 4.15, also 4.14.5 stable; " +
      "the FOLL_LONGTERM flag 5.2)",
    area: "seed 001",
  },
  "dax.truncateWithPin": {
    values: [
      "corrupt",
      "block",
      "fail-etxtbsy",
      "notify-kill",
      "redirect",
      "odp-only",
      "iommu-revoke",
    ],
    history: [["2.6", "corrupt"], ["4.18", "block"]],
    meaning: "truncate/punch of a DAX file whose blocks are still pinned after the unmap: " +
      "free them at once (a later DMA lands in whatever file gets the block: through 4.17, " +
      "ext4 through 4.18), wait interruptibly until the pins drop (xfs 4.18, ext4 4.19; " +
      "not when the file is mapped nowhere), fail with ETXTBSY (Ira Weiny's 2019 layout-" +
      "lease RFC), SIGIO the pinning processes and SIGKILL them after lease-break-time " +
      "(Jason Gunthorpe / John Hubbard, 2018), or move the pins to a scratch page " +
      "(Jerome Glisse, 2018: the device's writes are silently lost); odp-only: long-term " +
      "pins of fsdax refused (EOPNOTSUPP) whatever gup.longtermFsdax says, truncate never " +
      "waits: ODP MRs were invalidated through their interval notifiers and re-fault past " +
      "EOF into an error completion; iommu-revoke: the busy pages' IOVAs are unmapped from " +
      "every IOMMU domain and the blocks freed, the device's next DMA faults (DMAR) and " +
      "completes per iommu.deviceOnFault (with iommu.enabled=off it waits as block)",
    area: "seed 001",
  },
  "dax.layoutLease": {
    values: ["off", "rfc-2019"],
    history: [["2.6", "off"]],
    meaning: "F_LAYOUT leases from user space (Ira Weiny's 2019 RFC): fcntl(F_SETLEASE, " +
      "F_RDLCK|F_LAYOUT) on a DAX file, and long-term pins of its pages allowed while held",
    area: "seed 001",
  },
  "gup.pinZeroPage": {
    values: ["ref", "skip"],
    history: [["2.6", "ref"], ["6.5", "skip"]],
    meaning: "pinning the shared zero page: takes a reference (and, 5.7+, the pin bias and a " +
      "nr_foll_pin_acquired count) like any page, or nothing at all (c8070b787519, 6.5)",
    area: "seed 001 (devices.md §0.3, errata)",
  },
  "dio.pinType": {
    values: ["get", "pin"],
    history: [["2.6", "get"], ["6.5", "pin"]],
    meaning: "how O_DIRECT holds the user pages while the I/O is in flight: plain references " +
      "(get_user_pages) or FOLL_PIN pins (iov_iter_extract_pages + BIO_PAGE_PINNED, 6.5), which " +
      "fork's early copy sees",
    area: "seed 004 (O_DIRECT vs fork)",
  },
  "mm.vmFlagsAssert": {
    values: ["none", "lockdep-only", "always"],
    history: [["2.6", "none"], ["6.3", "lockdep-only"], ["6.10", "always"]],
    meaning: "what vm_flags_set/clear/mod do without the mmap write lock: nothing, a WARNING " +
      "on lockdep kernels (config.LOCKDEP; 6.4+ only with config.PER_VMA_LOCK), or a WARNING on " +
      "every kernel (rwsem_assert_held_write_nolockdep, 6.10)",
    area: "seed 002 (devices.md §0.4)",
  },
  "config.LOCKDEP": {
    values: ["n", "y"],
    history: [["2.6", "n"]],
    meaning: "CONFIG_LOCKDEP (PROVE_LOCKING): lockdep_assert_held_write() checks, as debug " +
      "kernels have. A build option, not an era",
    area: "seed 002 (devices.md §2.3)",
  },
  "config.MEMORY_FAILURE": {
    values: ["n", "y"],
    history: [["2.6", "n"]],
    meaning: "CONFIG_MEMORY_FAILURE: hwpoison handling (memory_failure(), MADV_HWPOISON for " +
      "root, inject-fault hwpoison); this project's 6.18 build has it off, so MADV_HWPOISON is " +
      "EINVAL. A build option, not an era",
    area: "memory failure (devices.md §2.2 item 11)",
  },
  "config.PER_VMA_LOCK": {
    values: ["unavailable", "n", "y"],
    history: [["2.6", "unavailable"], ["6.4", "y"]],
    meaning: "CONFIG_PER_VMA_LOCK (6.4+; `unavailable` before): with `y` anonymous faults " +
      "read-lock only their VMA, and vm_flags_set()'s vma_start_write() asserts the mmap write " +
      "lock; with `n` vma_start_write() is empty (no assertion at all); in 6.3 vm_flags_set() " +
      "asserted directly",
    area: "seed 002 (devices.md §0.4)",
  },
  "gup.roLongtermInCow": {
    values: ["unreliable", "unshare"],
    history: [["2.6", "unreliable"], ["6.2", "unshare"]],
    meaning: "read-only long-term pins of COW pages: may pin the zero/page-cache page, or unshare",
    area: "seed 001",
  },
  "mm.zeroPage": {
    values: ["map", "forbid"],
    history: [["2.6", "map"]],
    meaning: "what a read fault on private anonymous memory maps: the shared zero page, or " +
      "(where mm_forbids_zeropage() holds) a fresh zeroed page, counted in Rss. An arch or " +
      "boot property of the host, not an era: s390 mms with guest storage keys forbid it",
    area: "fault (linux-mm.md §7.3); host differences (repl/host/probe.ts)",
  },
  "hmm.specialVma": {
    values: ["efault", "error-pfn"],
    history: [["4.14", "efault"], ["5.7", "error-pfn"]],
    meaning: "hmm_range_fault over a VM_IO/VM_PFNMAP or unreadable VMA without a fault " +
      "request: -EFAULT like a faulting one (<5.7), or HMM_PFN_ERROR in its slots and the walk " +
      "goes on (hmm_vma_walk_test, 5.7)",
    area: "seed 003 (devices.md errata)",
  },
  "hmm.p2pMap": {
    values: ["off", "rfc-2019"],
    history: [["5.0", "off"]],
    meaning: "hmm_range_fault on a special (VM_IO|VM_PFNMAP) VMA: -EFAULT when asked to fault, " +
      "HMM_PFN_ERROR otherwise; or the 2019 RFC (never merged): the exporter's p2p_map gives " +
      "the importer bus addresses when the PCI p2p distance allows, and the trial call " +
      "hmm_mirror_is_maybe_supported exists",
    area: "seed 003",
  },
  "uffd.madv18": {
    values: ["wipeonfork", "userfault-rfc"],
    history: [["4.14", "wipeonfork"]],
    meaning: "what madvise advice 18/19 mean: MADV_WIPEONFORK/KEEPONFORK, or the 2014 RFC's " +
      "MADV_USERFAULT/NOUSERFAULT (VM_USERFAULT `uf`: SIGBUS on a missing page, EFAULT for a " +
      "kernel access; never merged)",
    area: "seed 004",
  },
  "uffd.remap": {
    values: ["none", "remap_anon_pages-rfc", "UFFDIO_MOVE"],
    history: [["4.3", "none"], ["6.8", "UFFDIO_MOVE"]],
    meaning: "how a page is moved into a userfault range without a copy: not at all, the RFC's " +
      "remap_anon_pages(2) syscall (never merged), or ioctl UFFDIO_MOVE (6.8)",
    area: "seed 004",
  },
  "uffd.rfcDesign": {
    values: ["userfaultfd", "madvise+userfaultfd", "mprotect+userfaultfd"],
    history: [["4.3", "userfaultfd"]],
    meaning: "the 2014 RFC thread's options for marking userfault ranges: (2) a userfaultfd " +
      "registration alone engages the protocol (what shipped in 4.3); (3) a userfaultfd engages " +
      "only where its registered range and a VM_USERFAULT range intersect, VM_USERFAULT set by " +
      "madvise(MADV_USERFAULT) (what the RFC implemented; advice 18's name is uffd.madv18's), " +
      "SIGBUS elsewhere in VM_USERFAULT; (1) the same with VM_USERFAULT set by " +
      "mprotect(PROT_USERFAULT) instead (PROT_USERFAULT = 0x40 is mmlab's own value)",
    area: "seed 004",
  },
  "rdma.onDisassociate": {
    values: ["block", "anon-private", "sigbus", "zero-page"],
    history: [["2.6", "block"], ["4.2", "anon-private"], ["5.0", "sigbus"], ["5.1", "zero-page"]],
    meaning: "what an RDMA device's BAR mappings become when the device is lost under open " +
      "uverbs files: removal waits until every file is closed (block: drivers without " +
      "disassociate_ucontext, all before 4.2), the VMA turns private anonymous (4.2-4.20 " +
      "mlx4/mlx5), every touch is SIGBUS (Linus' proposal; 5.0's accidental regression), or " +
      "rdma_umap_fault maps the zero page (no VM_WRITE|VM_MAYWRITE) or the file's dummy page",
    area: "seed 000",
  },
  "rdma.dummyPageScope": {
    values: ["per-file", "per-vma", "per-address"],
    history: [["2.6", "per-file"]],
    meaning: "which zeroed page rdma_umap_fault maps into a writable dead mapping: one per " +
      "uverbs file, shared by all its dead mappings (the kernel's), or, to compare, one per " +
      "VMA or one per address",
    area: "seed 000",
  },
  "rdma.asyncEventOnLoss": {
    values: ["device-fatal", "none"],
    history: [["2.6", "device-fatal"]],
    meaning: "whether device loss queues IB_EVENT_DEVICE_FATAL on the uverbs async event " +
      "files (the kernel's), or, to compare, leaves the application without notice",
    area: "seed 000",
  },
  "hw.mmioUnclaimed": {
    values: ["all-ones", "host-fatal"],
    history: [["2.6", "all-ones"]],
    meaning: "a CPU access to PCI memory no function claims (Memory Space disabled, the " +
      "function frozen or removed, or no BAR there): the root complex answers all ones and " +
      "drops writes (typical x86), or the Unsupported Request escalates to a fatal host " +
      "error (platforms that do, CVE-2020-12888). A platform property, not an era",
    area: "devices (devices.md §2.1), seeds 000/002",
  },
  "iommu.enabled": {
    values: ["on", "off"],
    history: [["2.6", "on"]],
    meaning: "DMA remapping (intel_iommu=on|off): on, a function attached to an IOMMU domain " +
      "reaches memory only through its IOVA map and anything else faults (DMAR: ... in dmesg); " +
      "off, every DMA address is physical and no domain can be attached. A platform and boot " +
      "property, not an era",
    area: "devices (devices.md §2.1), seed 001 backstop",
  },
  "iommu.deviceOnFault": {
    values: ["error-completion", "hang", "ignore"],
    history: [["2.6", "error-completion"]],
    meaning: "what a device does when the IOMMU refuses one of its DMA requests: complete the " +
      "op with an error, stall its DMA engine, or carry on (writes dropped, reads zero). A " +
      "device property, not an era",
    area: "devices (devices.md §2.1), seed 001",
  },
  "fork.openBeforeCopy": {
    values: ["false", "true"],
    history: [["2.6", "false"], ["6.9", "true"]],
    meaning: "whether fork calls a driver VMA's vm_ops->open before copying its PTEs " +
      "(35e351780fa9, 6.9 and 6.6.y) or after (up to 6.8): vfio 5.8-6.9 zapped the child's " +
      "copy in ->open, so with open first the child kept untracked BAR PTEs that a later " +
      "memory disable did not zap. Harmless from 6.10 (vfio has no ->open)",
    area: "seed 002 (devices.md §1.3)",
  },
  "vfio.faultImpl": {
    values: [
      "mmap-remap",
      "remap-in-fault",
      "insert-pfn+prefault",
      "insert-pfn",
      "huge-fault",
      "eager-reinsert",
    ],
    history: [
      ["2.6", "mmap-remap"],
      ["5.8", "remap-in-fault"],
      ["6.10", "insert-pfn+prefault"],
      ["6.12", "huge-fault"],
    ],
    meaning: "how vfio-pci fills a BAR mapping: remap_pfn_range at mmap and never zap (<5.8), " +
      "io_remap_pfn_range of the whole VMA from the fault handler under the mmap read lock " +
      "(5.8-6.9: the vm_flags WARNING), vmf_insert_pfn + prefault of the rest (6.10), " +
      "vmf_insert_pfn of one page (comparison), PMD/PUD huge faults (6.12), or Peter Xu's " +
      "never-merged idea: fault lazily, but re-insert every mapping when memory is re-enabled",
    area: "seed 002 (devices.md §1.3)",
  },
} as const satisfies Record<string, KnobSpec>;

/** A knob whose code has not landed: its design, and the issue that brings it. */
export interface PlannedKnobSpec extends KnobSpec {
  /** The issue that implements it (9 userfaults, 10 devices, 11 DAX/HMM). */
  readonly issue: number;
}

/**
 * Knobs designed but not implemented yet. They are not listed by `policy`
 * and not accepted by `policy`, `--policy`, presets or transcript headers:
 * a knob moves into {@link KNOBS} with the code that reads it (every listed
 * knob changes behaviour; tests/policy_test.ts checks).
 */
export const PLANNED_KNOBS = {
  "vfio.onMemoryDisable": {
    values: ["sigbus", "zero-page"],
    history: [["5.8", "sigbus"]],
    meaning: "what a vfio BAR fault answers while memory is disabled: SIGBUS (the kernel), " +
      "or the zero page Alex Williamson considered in 2020 and did not adopt",
    area: "seed 002 (devices.md §2.3)",
    issue: 10,
  },
} as const satisfies Record<string, PlannedKnobSpec>;

/** The name of a policy knob (`fork.pinnedPages`). */
export type KnobName = keyof typeof KNOBS;
/** The values knob `K` accepts. */
export type KnobValue<K extends KnobName> = (typeof KNOBS)[K]["values"][number];
/** One value per knob: the policies a machine runs under. */
export type Policies = { -readonly [K in KnobName]: KnobValue<K> };

/** Kernel versions that name era presets. */
export const ERA_PRESETS = [
  "linux-4.14",
  "linux-5.0",
  "linux-5.1",
  "linux-5.8",
  "linux-5.9",
  "linux-5.13",
  "linux-6.2",
  "linux-6.3",
  "linux-6.5",
  "linux-6.9",
  "linux-6.10",
  "linux-6.12",
  "linux-6.13",
  "linux-6.16",
  "linux-6.18",
] as const;

/**
 * Proposals that never merged, on top of an era. `rfc-2014-userfault` is
 * Andrea Arcangeli's Oct 2014 series (seed 004) on the 4.14 era: advice
 * 18/19 are MADV_USERFAULT/NOUSERFAULT, remap_anon_pages(2) exists, and a
 * userfaultfd engages only inside MADV_USERFAULT ranges (option 3 of the
 * thread; uffd.rfcDesign selects options 1 and 2).
 */
export const RFC_PRESETS: Readonly<
  Record<string, { readonly base: string; readonly set: Readonly<Partial<Policies>> }>
> = Object.freeze({
  "rfc-2014-userfault": {
    base: "linux-4.14",
    set: {
      "uffd.madv18": "userfault-rfc",
      "uffd.remap": "remap_anon_pages-rfc",
      "uffd.rfcDesign": "madvise+userfaultfd",
    },
  },
  "rfc-2019-dax-lease": {
    base: "linux-5.1",
    set: { "dax.truncateWithPin": "fail-etxtbsy", "dax.layoutLease": "rfc-2019" },
  },
  "rfc-2019-p2p": { base: "linux-5.1", set: { "hmm.p2pMap": "rfc-2019" } },
});

/**
 * RFC presets whose every knob is still planned: hidden and refused with
 * the knobs ({@link PLANNED_KNOBS}); each moves into {@link RFC_PRESETS}
 * when its knobs have code.
 */
export const PLANNED_PRESETS: Readonly<
  Record<string, { base: string; set: Readonly<Record<string, string>>; issue: number }>
> = Object.freeze({});

/** The preset a machine starts with: today's kernel. */
export const DEFAULT_PRESET = "linux-6.18";

/** The names `policy preset` accepts: the era presets, then the RFC presets. */
export function presetNames(): string[] {
  return [...ERA_PRESETS, ...Object.keys(RFC_PRESETS)];
}

function versionKey(v: string): number {
  const [a, b] = v.split(".").map(Number);
  return a * 1000 + (b ?? 0);
}

/** Each knob's value at a kernel version. */
export function policiesAt(version: string): Policies {
  const key = versionKey(version);
  const out: Record<string, string> = {};
  for (const [name, spec] of Object.entries(KNOBS) as [string, KnobSpec][]) {
    let value = spec.history[0][1];
    for (const [since, v] of spec.history) if (versionKey(since) <= key) value = v;
    out[name] = value;
  }
  return out as Policies;
}

/** The policies of a preset, or undefined for an unknown name. */
export function presetPolicies(preset: string): Policies | undefined {
  const rfc = Object.hasOwn(RFC_PRESETS, preset) ? RFC_PRESETS[preset] : undefined;
  if (rfc) return { ...presetPolicies(rfc.base)!, ...rfc.set } as Policies;
  // Any release from 2.6 to the reference 6.18 works, not only the listed eras.
  const m = /^linux-(\d+\.\d+)$/.exec(preset);
  if (!m || versionKey(m[1]) < versionKey("2.6") || versionKey(m[1]) > versionKey("6.18")) {
    return undefined;
  }
  return policiesAt(m[1]);
}

/** Validates a knob assignment; returns an error message or null. */
export function checkKnob(name: string, value: string): string | null {
  // Own keys only: "constructor" or "toString" are no knobs.
  const spec = Object.hasOwn(KNOBS, name) ? (KNOBS as Record<string, KnobSpec>)[name] : undefined;
  if (!spec) return plannedKnobNote(name) ?? `unknown policy ${name}`;
  if (!spec.values.includes(value)) {
    return `policy ${name} takes ${spec.values.join(", ")}; not ${value}`;
  }
  return null;
}

/** Why a planned knob is refused, or undefined for any other name. */
export function plannedKnobNote(name: string): string | undefined {
  const spec = Object.hasOwn(PLANNED_KNOBS, name)
    ? (PLANNED_KNOBS as Record<string, PlannedKnobSpec>)[name]
    : undefined;
  if (spec === undefined) return undefined;
  return `policy ${name} is planned for issue ${spec.issue}: no code implements it yet`;
}

/** Validates a preset name; returns an error message or null. */
export function checkPreset(preset: string): string | null {
  if (presetPolicies(preset) !== undefined) return null;
  const planned = Object.hasOwn(PLANNED_PRESETS, preset) ? PLANNED_PRESETS[preset] : undefined;
  if (planned !== undefined) {
    return `preset ${preset} is planned for issue ${planned.issue}: no code implements its knobs yet`;
  }
  return `unknown preset ${preset}`;
}
