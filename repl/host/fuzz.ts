/**
 * A differential fuzzer: random but meaningful command files, run on mmlab
 * and on the host kernel (differ.ts), with the mismatching ones shrunk to a
 * small reproducer.
 *
 * The generator works on a small region, {@link REGION_PAGES} pages at
 * {@link REGION_BASE}, at page granularity, so that mmap, munmap,
 * mprotect, mremap, madvise and mlock split, merge and overlap each other;
 * files live in /tmp; children made by fork run some of the commands
 * (`@cN ...`) and exit. Arguments are mostly valid, some invalid
 * (unaligned, zero, huge, across holes) to exercise the errno order.
 *
 * A share of the cases (drawn apart from the rest, so that the others
 * stay as they were) carry a userfaultfd: see {@link UFFD_STAGING} for
 * the non-blocking commands and {@link UFFD_THREAD_AREA} for the faults
 * that really block a thread until the main thread ends the wait.
 *
 * What the oracle cannot compare is not generated: the mmlab-only views
 * (pages, ps, meminfo, status, dmesg, check, policy); THP (regions stay
 * far below 2 MiB, so MADV_HUGEPAGE never makes a huge page); instruction
 * fetches (exec) are left out.
 *
 * Shrinking is delta debugging over the lines (ddmin, then one line at a
 * time): a candidate reproduces when it still differs, at a line running
 * the same command as the original's first difference. A line that uses a
 * variable whose definition was removed does not run (an unknown name):
 * that makes the candidate invalid (differ.ts), never a reproduction.
 * @module
 */

import { Rng } from "../../lib/util/rng.ts";
import { describeDifference, type DiffResult, hostAdaptations, runDifferential } from "./differ.ts";

/** The region the generated commands work in. */
export const REGION_BASE = 0x7f0000000000;
/** Its size in pages. */
export const REGION_PAGES = 32;
const PAGE = 4096;

/** A uint32 seed for case `index` of a run seeded with `seed`. */
export function caseSeed(seed: number, index: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** The PRNG with the small helpers the generator uses. */
class Gen {
  readonly rng: Rng;
  constructor(seed: number) {
    this.rng = new Rng(seed);
  }
  int(n: number): number {
    return this.rng.below(n);
  }
  chance(p: number): boolean {
    return this.rng.next() / 4294967296 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  /** One of the keys, chosen with probability proportional to its weight. */
  weighted<K extends string>(w: Readonly<Record<K, number>>): K {
    const keys = Object.keys(w) as K[];
    let total = 0;
    for (const k of keys) total += w[k];
    let x = this.rng.next() / 4294967296 * total;
    for (const k of keys) {
      x -= w[k];
      if (x < 0) return k;
    }
    return keys[keys.length - 1];
  }
}

const hex = (n: number) => "0x" + n.toString(16);

/** The 8 little-endian bytes of a u64 (below 2^53). */
function le64(n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < 8; i++, n = Math.floor(n / 256)) out.push(n % 256);
  return out;
}

/** What the generator remembers about the case so far (approximately). */
interface State {
  /** Variables holding addresses outside the region (NULL-hint mmaps, mremap results). */
  movable: string[];
  /** Open fd variables. */
  fds: string[];
  /** Child variables still alive (as far as the generator knows). */
  children: string[];
  next: number;
}

const PROTS = [
  "PROT_NONE",
  "PROT_READ",
  "PROT_READ|PROT_WRITE",
  "PROT_READ|PROT_WRITE",
  "PROT_WRITE",
  "PROT_READ|PROT_EXEC",
  "PROT_READ|PROT_WRITE|PROT_EXEC",
];

const ADVICE = [
  "MADV_DONTNEED",
  "MADV_DONTNEED",
  "MADV_FREE",
  "MADV_DONTFORK",
  "MADV_DOFORK",
  "MADV_WIPEONFORK",
  "MADV_KEEPONFORK",
  "MADV_NORMAL",
  "MADV_RANDOM",
  "MADV_SEQUENTIAL",
  "MADV_WILLNEED",
  "MADV_POPULATE_READ",
  "MADV_POPULATE_WRITE",
  "MADV_GUARD_INSTALL",
  "MADV_GUARD_REMOVE",
  "MADV_COLD",
  "MADV_PAGEOUT",
  "MADV_REMOVE",
  "MADV_HUGEPAGE",
  "MADV_NOHUGEPAGE",
  "MADV_DONTDUMP",
  "MADV_DODUMP",
  "MADV_DONTNEED_LOCKED",
];

/**
 * A page outside the region, mapped at the start of every case, whose
 * MADV_COLD is a no-op that begins with lru_add_drain().
 */
export const DRAIN_PAGE = REGION_BASE + 0x100000;
const DRAIN = `madvise(${hex(DRAIN_PAGE)}, 4K, MADV_COLD)`;
const DRAINED = new Set(["MADV_FREE", "MADV_COLD", "MADV_PAGEOUT"]);

/** The command kinds a child may run (no fork, no files opened there). */
type Op =
  | "mmap"
  | "mmapFile"
  | "munmap"
  | "mprotect"
  | "mremap"
  | "madvise"
  | "mlock"
  | "msync"
  | "mincore"
  | "open"
  | "ftruncate"
  | "pwrite"
  | "pread"
  | "fallocate"
  | "unlink"
  | "close"
  | "fork"
  | "child"
  | "exit"
  | "peek"
  | "poke"
  | "memset"
  | "maps"
  | "smaps"
  | UffdOp;

/** The commands of a case with a userfaultfd. */
type UffdOp =
  | "uffdRegister"
  | "uffdUnregister"
  | "uffdCopy"
  | "uffdZeropage"
  | "uffdMove"
  | "uffdWake"
  | "uffdClose"
  | "uffdThread";

const WEIGHTS: Record<Exclude<Op, UffdOp>, number> = {
  mmap: 12,
  mmapFile: 5,
  munmap: 5,
  mprotect: 6,
  mremap: 5,
  madvise: 9,
  mlock: 4,
  msync: 2,
  mincore: 3,
  open: 3,
  ftruncate: 3,
  pwrite: 3,
  pread: 2,
  fallocate: 2,
  unlink: 1,
  close: 1,
  fork: 2,
  child: 6,
  exit: 1,
  peek: 6,
  poke: 6,
  memset: 5,
  maps: 3,
  smaps: 3,
};

/**
 * The weights of a case with a userfaultfd (see {@link UFFD_STAGING}): the
 * uffd commands join the mix.
 */
const UFFD_WEIGHTS: Record<Op, number> = {
  ...WEIGHTS,
  uffdRegister: 5,
  uffdUnregister: 1,
  uffdCopy: 4,
  uffdZeropage: 2,
  uffdMove: 2,
  uffdWake: 1,
  uffdClose: 0.3,
  uffdThread: 3,
};

/** The share of cases with a userfaultfd. */
const UFFD_CASES = 0.35;

/**
 * Cases with a userfaultfd keep its pages here, outside the region: a
 * 16 KiB staging buffer (the UFFDIO_API and UFFDIO_REGISTER structs, and
 * COPY's source page at +4K) and 16 KiB of MOVE sources.
 *
 * The context takes UFFD_FEATURE_SIGBUS, so no access ever waits: a
 * missing fault in a registered range is SIGBUS BUS_ADRERR, a kernel
 * access into one is EFAULT, and every line runs to its end on both sides
 * (no handler thread is needed). What is fuzzed: REGISTER/UNREGISTER over
 * whatever the region holds (errnos per VMA type, splits and merges, `um`
 * in smaps), COPY/ZEROPAGE/MOVE into ranges with and without pages
 * (partial progress, EEXIST, ENOENT, EAGAIN), WAKE, the SIGBUS of
 * accesses, and how munmap, mremap, madvise, mprotect, mlock and fork
 * treat registered VMAs. Modes a kernel without WP/MINOR support in mmlab
 * would answer differently (WP, MINOR) are not generated. API and
 * REGISTER go through a raw pointer: mmlab reports only the features and
 * ioctls it implements.
 */
export const UFFD_STAGING = REGION_BASE + 0x80000;
const UFFD_MOVE_SRC = REGION_BASE + 0x90000;

/**
 * Faults that really block: a second userfaultfd, without the SIGBUS
 * feature, registers {@link UFFD_THREAD_PAGES} pages here, which no other
 * command touches, so the generator knows which of them are missing. A
 * thread (pthread_create) loads from or stores to a missing one and waits
 * in handle_userfault; in the same command group the main thread may read
 * the message, and ends the wait: UFFDIO_COPY or ZEROPAGE of the page,
 * UFFDIO_WAKE (the thread faults again and waits again) then COPY, a
 * MADV_DONTNEED of the page (nothing to zap: it still waits) then COPY,
 * UNREGISTER of the range, or close of the uffd (the access then completes
 * as an ordinary fault). The thread's line ends at the line that woke it,
 * on both sides (differ.ts: expectWakes).
 */
const UFFD_THREAD_AREA = REGION_BASE + 0xa0000;
const UFFD_THREAD_PAGES = 8;

/** Ops that need an open file (an open comes first, mostly). */
const FILE_OPS = new Set<Op>(["mmapFile", "ftruncate", "pwrite", "pread", "fallocate", "close"]);

/** Ops a child runs through `@cN`. */
const CHILD_OPS: Op[] = [
  "mmap",
  "munmap",
  "mprotect",
  "madvise",
  "mlock",
  "mincore",
  "peek",
  "poke",
  "memset",
  "peek",
  "poke",
  "maps",
  "smaps",
  "mremap",
];

/**
 * Random command files: each call of {@link generateCase} is one case,
 * the same for the same seed on every host.
 */
export class CaseGenerator {
  private readonly g: Gen;
  private readonly st: State = { movable: [], fds: [], children: [], next: 1 };
  /** Whether this case has a userfaultfd (drawn apart, so other cases stay as they were). */
  readonly uffd: boolean;
  /** The blocking episodes' state: their uffd variable (null: none open), registration, pages. */
  private readonly ep = {
    uffd: null as string | null,
    registered: false,
    thread: null as string | null,
    present: new Set<number>(),
    /** A fork since the uffd was opened: a child holds it too, so a close ends no wait. */
    forked: false,
  };

  constructor(seed: number) {
    this.g = new Gen(seed);
    this.uffd = new Rng(seed ^ 0x5bd1e995).next() / 4294967296 < UFFD_CASES;
  }

  /** A page index in the region (sometimes just past it). */
  private page(): number {
    return this.g.int(REGION_PAGES + 2);
  }

  /** A start address: mostly a page of the region, sometimes unaligned or a moved mapping. */
  private addr(): string {
    const g = this.g;
    if (this.st.movable.length > 0 && g.chance(0.12)) {
      const v = g.pick(this.st.movable);
      return g.chance(0.5) ? v : `${v} + ${g.int(4)}*4K`;
    }
    const a = REGION_BASE + this.page() * PAGE;
    if (g.chance(0.04)) return hex(a + 1 + g.int(PAGE - 1));
    return hex(a);
  }

  /**
   * A length: mostly a few pages, sometimes unaligned, zero or wrapping.
   * Never one reaching past the window: the host would apply it to its own
   * program (a huge MADV_DONTNEED zaps mmhost's data and stack), and a
   * length near the RAM size passes the overcommit check only on the host.
   */
  private len(maxPages = 8): string {
    const g = this.g;
    const r = g.int(100);
    if (r < 2) return "0";
    if (r < 3) return "-4K";
    if (r < 10) return String((1 + g.int(maxPages)) * PAGE - 1 - g.int(PAGE - 1));
    const pages = g.chance(0.15) ? 8 + g.int(REGION_PAGES - 8) : 1 + g.int(maxPages);
    return `${pages * PAGE / 1024}K`;
  }

  private prot(): string {
    return this.g.pick(PROTS);
  }

  private fresh(prefix: string): string {
    return `${prefix}${this.st.next++}`;
  }

  private mmap(inChild: boolean): string {
    const g = this.g;
    const shared = g.chance(0.3);
    let flags = shared ? "MAP_SHARED|MAP_ANONYMOUS" : "MAP_PRIVATE|MAP_ANONYMOUS";
    const where = g.weighted({ fixed: 5, noreplace: 4, hint: 2, null: 1 });
    let addr: string;
    if (where === "null") addr = "NULL";
    else addr = hex(REGION_BASE + this.page() * PAGE);
    if (where === "fixed") flags += "|MAP_FIXED";
    if (where === "noreplace") flags += "|MAP_FIXED_NOREPLACE";
    if (g.chance(0.12)) flags += "|MAP_POPULATE";
    if (g.chance(0.06)) flags += "|MAP_LOCKED";
    if (g.chance(0.1)) flags += "|MAP_NORESERVE";
    if (!shared && g.chance(0.06)) flags += "|MAP_GROWSDOWN";
    if (g.chance(0.02)) flags = flags.replace("MAP_PRIVATE", "MAP_SHARED|MAP_PRIVATE");
    const call = `mmap(${addr}, ${this.len()}, ${this.prot()}, ${flags}, -1, 0)`;
    if ((where === "null" || where === "hint") && !inChild) {
      const v = this.fresh("n");
      this.st.movable.push(v);
      return `${v} = ${call}`;
    }
    return call;
  }

  private fd(): string {
    const g = this.g;
    if (this.st.fds.length === 0 || g.chance(0.03)) return g.pick(["-1", "99"]);
    return g.pick(this.st.fds);
  }

  private mmapFile(): string {
    const g = this.g;
    const shared = g.chance(0.6);
    let flags = shared ? "MAP_SHARED" : "MAP_PRIVATE";
    flags += g.chance(0.7) ? "|MAP_FIXED" : "|MAP_FIXED_NOREPLACE";
    if (g.chance(0.1)) flags += "|MAP_POPULATE";
    if (g.chance(0.05)) flags += "|MAP_LOCKED";
    const off = g.chance(0.05) ? String(1 + g.int(PAGE - 1)) : `${g.int(6) * 4}K`;
    const a = hex(REGION_BASE + this.page() * PAGE);
    return `mmap(${a}, ${this.len(6)}, ${this.prot()}, ${flags}, ${this.fd()}, ${off})`;
  }

  private mremap(inChild: boolean): string {
    const g = this.g;
    const old = this.addr();
    const kind = g.weighted({ plain: 3, maymove: 3, fixed: 3, dontunmap: 2, dontfixed: 1, bad: 1 });
    const oldLen = this.len(6);
    const newLen = this.len(8);
    const target = hex(REGION_BASE + this.page() * PAGE);
    let call: string;
    switch (kind) {
      case "plain":
        call = `mremap(${old}, ${oldLen}, ${newLen}, 0)`;
        break;
      case "maymove":
        call = `mremap(${old}, ${oldLen}, ${newLen}, MREMAP_MAYMOVE)`;
        break;
      case "fixed":
        call = `mremap(${old}, ${oldLen}, ${newLen}, MREMAP_MAYMOVE|MREMAP_FIXED, ${target})`;
        break;
      case "dontunmap":
        call = `mremap(${old}, ${oldLen}, ${oldLen}, MREMAP_MAYMOVE|MREMAP_DONTUNMAP)`;
        break;
      case "dontfixed":
        call = `mremap(${old}, ${oldLen}, ${oldLen}, ` +
          `MREMAP_MAYMOVE|MREMAP_DONTUNMAP|MREMAP_FIXED, ${target})`;
        break;
      default:
        call = `mremap(${old}, ${oldLen}, ${newLen}, ${
          g.pick(["MREMAP_FIXED", "MREMAP_DONTUNMAP", "8"])
        }, ${target})`;
    }
    if (!inChild && (kind === "maymove" || kind === "dontunmap")) {
      const v = this.fresh("r");
      this.st.movable.push(v);
      return `${v} = ${call}`;
    }
    return call;
  }

  private madvise(): string {
    const g = this.g;
    const adv = g.chance(0.02) ? g.pick(["99", "MADV_HWPOISON"]) : g.pick(ADVICE);
    const call = `madvise(${this.addr()}, ${this.len()}, ${adv})`;
    // MADV_FREE, COLD and PAGEOUT leave pages on per-CPU LRU batches until
    // the next lru_add_drain(), which the host may run at any time (another
    // process's lru_add_drain_all()): drain at once, so that smaps
    // Referenced never shows the pending state (see DRAIN_PAGE).
    if (DRAINED.has(adv)) return `${call}\n${DRAIN}`;
    return call;
  }

  private mlock(): string {
    const g = this.g;
    switch (g.int(5)) {
      case 0:
      case 1:
        return `mlock(${this.addr()}, ${this.len()})`;
      case 2:
        return `mlock2(${this.addr()}, ${this.len()}, ${
          g.pick(["MLOCK_ONFAULT", "MLOCK_ONFAULT", "0", "2"])
        })`;
      default:
        return `munlock(${this.addr()}, ${this.len()})`;
    }
  }

  private byteArg(): string {
    const g = this.g;
    return g.chance(0.5) ? String(g.int(256)) : `"${g.pick(["ab", "xyz", "Q", "data!"])}"`;
  }

  private peekLen(): string {
    return String(this.g.pick([1, 1, 2, 8, 16, 32]));
  }

  /** A command for process 1 or a child (`inChild` limits it). */
  private op(kind: Op, inChild: boolean): string {
    const g = this.g;
    if (FILE_OPS.has(kind) && this.st.fds.length === 0 && !inChild && g.chance(0.9)) {
      kind = "open";
    }
    switch (kind) {
      case "mmap":
        return this.mmap(inChild);
      case "mmapFile":
        return this.mmapFile();
      case "munmap":
        return `munmap(${this.addr()}, ${this.len()})`;
      case "mprotect": {
        const p = g.chance(0.04) ? "PROT_READ|PROT_GROWSDOWN" : this.prot();
        return `mprotect(${this.addr()}, ${this.len()}, ${p})`;
      }
      case "mremap":
        return this.mremap(inChild);
      case "madvise":
        return this.madvise();
      case "mlock":
        return this.mlock();
      case "msync":
        return `msync(${this.addr()}, ${this.len()}, ${
          g.pick(["MS_SYNC", "MS_ASYNC", "MS_INVALIDATE", "MS_SYNC|MS_INVALIDATE", "0"])
        })`;
      case "mincore":
        return g.chance(0.3)
          ? `mincore(${hex(REGION_BASE)}, ${REGION_PAGES * 4}K)`
          : `mincore(${this.addr()}, ${this.len()})`;
      case "open": {
        const v = this.fresh("fd");
        this.st.fds.push(v);
        const path = `"/tmp/f${1 + g.int(2)}"`;
        const flags = g.pick([
          "O_RDWR|O_CREAT",
          "O_RDWR|O_CREAT",
          "O_RDWR|O_CREAT|O_TRUNC",
          "O_RDONLY|O_CREAT",
        ]);
        return `${v} = open(${path}, ${flags}, 0644)`;
      }
      case "ftruncate": {
        const size = g.chance(0.2) ? String(g.int(8 * PAGE)) : `${g.int(10) * 4}K`;
        return `ftruncate(${this.fd()}, ${size})`;
      }
      case "pwrite": {
        const off = g.chance(0.3) ? String(g.int(8 * PAGE)) : `${g.int(8) * 4}K`;
        if (g.chance(0.3)) {
          return `pwrite(${this.fd()}, ${this.addr()}, ${g.pick([16, 100, 4096, 8192])}, ${off})`;
        }
        const s = g.pick(["hello", "file data", "X"]);
        return `pwrite(${this.fd()}, "${s}", ${s.length}, ${off})`;
      }
      case "pread":
        return `pread(${this.fd()}, ${this.addr()}, ${g.pick([8, 16, 4096])}, ${g.int(6) * 4}K)`;
      case "fallocate": {
        const mode = g.pick([
          "0",
          "FALLOC_FL_KEEP_SIZE",
          "FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE",
          "FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE",
        ]);
        const off = g.chance(0.2) ? String(g.int(4 * PAGE)) : `${g.int(6) * 4}K`;
        return `fallocate(${this.fd()}, ${mode}, ${off}, ${this.len(4)})`;
      }
      case "unlink":
        return `unlink("/tmp/f${1 + g.int(2)}")`;
      case "close": {
        const fd = this.fd();
        this.st.fds = this.st.fds.filter((f) => f !== fd);
        return `close(${fd})`;
      }
      case "fork": {
        if (this.ep.uffd !== null) this.ep.forked = true;
        const v = this.fresh("c");
        this.st.children.push(v);
        return `${v} = fork()`;
      }
      case "child": {
        if (this.st.children.length === 0) return this.op("fork", false);
        const c = g.pick(this.st.children);
        if (g.chance(0.05)) return `@${c} signal(SIGSEGV, SIG_DFL)`;
        return this.op(g.pick(CHILD_OPS), true).split("\n").map((l) => `@${c} ${l}`).join("\n");
      }
      case "exit": {
        if (this.st.children.length === 0) return this.op("fork", false);
        const c = g.pick(this.st.children);
        this.st.children = this.st.children.filter((x) => x !== c);
        return `@${c} exit(${g.int(4)})`;
      }
      case "peek":
        return `peek(${this.addr()}, ${this.peekLen()})`;
      case "poke": {
        const n = 1 + g.int(3);
        const bytes = Array.from({ length: n }, () => this.byteArg()).join(", ");
        return `poke(${this.addr()}, ${bytes})`;
      }
      case "memset": {
        const len = g.chance(0.7) ? `${(1 + g.int(8)) * 4}K` : String(1 + g.int(3 * PAGE));
        return `memset(${this.addr()}, ${g.int(256)}, ${len})`;
      }
      case "maps":
        return "maps";
      case "smaps":
        return this.smaps();
      case "uffdRegister": {
        // struct uffdio_register {range={start, len}, mode} at staging+8K, as bytes.
        const start = REGION_BASE + this.page() * PAGE + (g.chance(0.04) ? 1 + g.int(PAGE - 1) : 0);
        const len = g.chance(0.04) ? g.pick([0, 100]) : (1 + g.int(8)) * PAGE;
        const mode = g.pick([1, 1, 1, 1, 0, 8]);
        const bytes = [...le64(start), ...le64(len), mode].join(", ");
        return `poke(${hex(UFFD_STAGING + 8 * 1024)}, ${bytes})
` +
          `ioctl(uffd, UFFDIO_REGISTER, ${hex(UFFD_STAGING + 8 * 1024)})`;
      }
      case "uffdUnregister":
        return `ioctl(uffd, UFFDIO_UNREGISTER, {start=${this.addr()}, len=${this.len()}})`;
      case "uffdCopy": {
        const src = hex(UFFD_STAGING + 4 * 1024 + (g.chance(0.2) ? 3 : 0));
        const mode = g.pick(["0", "0", "0", "UFFDIO_COPY_MODE_DONTWAKE", "4"]);
        return `ioctl(uffd, UFFDIO_COPY, {dst=${this.uffdDst()}, src=${src}, ` +
          `len=${this.uffdLen()}, mode=${mode}})`;
      }
      case "uffdZeropage": {
        const mode = g.pick(["0", "0", "UFFDIO_ZEROPAGE_MODE_DONTWAKE", "2"]);
        return `ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=${this.uffdDst()}, ` +
          `len=${this.uffdLen()}}, mode=${mode}})`;
      }
      case "uffdMove": {
        const src = hex(UFFD_MOVE_SRC + g.int(4) * PAGE);
        const mode = g.pick(["0", "0", "UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES"]);
        return `ioctl(uffd, UFFDIO_MOVE, {dst=${this.uffdDst()}, src=${src}, ` +
          `len=${g.pick(["4K", "4K", "8K"])}, mode=${mode}})`;
      }
      case "uffdWake":
        return `ioctl(uffd, UFFDIO_WAKE, {start=${this.uffdDst()}, len=${this.uffdLen()}})`;
      case "uffdClose":
        return "close(uffd)";
      case "uffdThread":
        return this.uffdThread();
    }
  }

  /**
   * `smaps`; once a thread exists, only up to the drain page: how many
   * pages of its stack the host's thread start touched is glibc's business.
   */
  private smaps(): string {
    if (this.ep.thread === null) return "smaps";
    return `smaps ${hex(REGION_BASE)} ${(DRAIN_PAGE + PAGE - REGION_BASE) / 1024}K`;
  }

  /** One blocking episode (see {@link UFFD_THREAD_AREA}): setup as needed, a fault, its end. */
  private uffdThread(): string {
    const g = this.g, ep = this.ep;
    const missing: number[] = [];
    for (let k = 0; k < UFFD_THREAD_PAGES; k++) if (!ep.present.has(k)) missing.push(k);
    if (missing.length === 0) return "maps";
    const out: string[] = [];
    const area = hex(UFFD_THREAD_AREA);
    if (ep.uffd === null) {
      ep.uffd = this.fresh("uf");
      ep.registered = false;
      ep.forked = false;
      out.push(
        `${ep.uffd} = userfaultfd(O_CLOEXEC|O_NONBLOCK)`,
        // struct uffdio_api {api=UFFD_API, features=0}: all 16 bytes (the first handshake wrote there).
        `poke(${hex(UFFD_STAGING)}, 0xaa, ${new Array(15).fill(0).join(", ")})`,
        `ioctl(${ep.uffd}, UFFDIO_API, ${hex(UFFD_STAGING)})`,
      );
      if (ep.thread === null) {
        out.push(
          `mmap(${area}, ${UFFD_THREAD_PAGES * 4}K, PROT_READ|PROT_WRITE, ` +
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
        );
      }
    }
    if (!ep.registered) {
      const bytes = [...le64(UFFD_THREAD_AREA), ...le64(UFFD_THREAD_PAGES * PAGE), 1].join(", ");
      out.push(
        `poke(${hex(UFFD_STAGING + 8 * 1024)}, ${bytes})`,
        `ioctl(${ep.uffd}, UFFDIO_REGISTER, ${hex(UFFD_STAGING + 8 * 1024)})`,
      );
      ep.registered = true;
    }
    if (ep.thread === null) {
      ep.thread = this.fresh("t");
      out.push(`${ep.thread} = pthread_create()`);
    }
    const k = g.pick(missing);
    const at = hex(UFFD_THREAD_AREA + k * PAGE + g.int(PAGE - 16));
    const page = hex(UFFD_THREAD_AREA + k * PAGE);
    const u = ep.uffd;
    out.push(
      g.chance(0.5)
        ? `@${ep.thread} peek(${at}, ${this.peekLen()})`
        : `@${ep.thread} poke(${at}, ${this.byteArg()})`,
    );
    if (g.chance(0.6)) out.push(`read(${u}, ${hex(UFFD_STAGING + 12 * 1024)}, 32)`);
    const copy = `ioctl(${u}, UFFDIO_COPY, {dst=${page}, src=${hex(UFFD_STAGING + 4 * 1024)}, ` +
      "len=4K, mode=0})";
    const close = ep.forked ? 0 : 1;
    switch (g.weighted({ close, zero: 2, wake: 1, dontneed: 1, unregister: 1, copy: 4 })) {
      case "copy":
        out.push(copy);
        break;
      case "zero":
        out.push(`ioctl(${u}, UFFDIO_ZEROPAGE, {range={start=${page}, len=4K}, mode=0})`);
        break;
      case "wake":
        out.push(`ioctl(${u}, UFFDIO_WAKE, {start=${page}, len=4K})`);
        if (g.chance(0.5)) out.push(`read(${u}, ${hex(UFFD_STAGING + 12 * 1024)}, 32)`);
        out.push(copy);
        break;
      case "dontneed":
        out.push(`madvise(${page}, 4K, MADV_DONTNEED)`, copy);
        break;
      case "unregister":
        out.push(`ioctl(${u}, UFFDIO_UNREGISTER, {start=${area}, len=${UFFD_THREAD_PAGES * 4}K})`);
        ep.registered = false;
        break;
      default:
        out.push(`close(${u})`);
        ep.uffd = null;
        ep.registered = false;
    }
    ep.present.add(k);
    return out.join("\n");
  }

  /** A fill's destination: a region page, sometimes unaligned. */
  private uffdDst(): string {
    const a = REGION_BASE + this.page() * PAGE;
    return hex(this.g.chance(0.04) ? a + 1 + this.g.int(PAGE - 1) : a);
  }

  /** A fill's length: a page or a few (the source has three), sometimes 0. */
  private uffdLen(): string {
    return this.g.chance(0.04) ? "0" : `${(1 + this.g.int(3)) * 4}K`;
  }

  /** The userfaultfd of a uffd case, its staging pages and MOVE sources. */
  private uffdSetup(): string[] {
    const g = this.g;
    return [
      "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)",
      `mmap(${hex(UFFD_STAGING)}, 16K, PROT_READ|PROT_WRITE, ` +
      "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)",
      // struct uffdio_api {api=UFFD_API, features=UFFD_FEATURE_SIGBUS}
      `poke(${hex(UFFD_STAGING)}, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0x80)`,
      `ioctl(uffd, UFFDIO_API, ${hex(UFFD_STAGING)})`,
      `poke(${hex(UFFD_STAGING + 4 * 1024)}, "${g.pick(["staged page", "Q", "restore"])}")`,
      `mmap(${hex(UFFD_MOVE_SRC)}, 16K, PROT_READ|PROT_WRITE, ` +
      "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
      `memset(${hex(UFFD_MOVE_SRC)}, ${1 + g.int(255)}, ${g.pick(["8K", "12K", "16K"])})`,
    ];
  }

  /**
   * One case of `length` command lines (observations included), without
   * a header. It ends with `maps` and `smaps` so that state differences
   * left at the end are seen.
   */
  generateCase(length: number): string[] {
    const lines: string[] = [
      `mmap(${hex(DRAIN_PAGE)}, 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)`,
    ];
    // Start with something mapped so the first operations meet a VMA.
    lines.push(
      `mmap(${hex(REGION_BASE)}, ${(4 + this.g.int(12)) * 4}K, PROT_READ|PROT_WRITE, ` +
        "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
    );
    // A uffd case registers something at once, so that what follows meets it.
    if (this.uffd) lines.push(...this.uffdSetup(), ...this.op("uffdRegister", false).split("\n"));
    const weights = this.uffd ? UFFD_WEIGHTS : WEIGHTS;
    while (lines.length < length - 2) {
      lines.push(...this.op(this.g.weighted(weights), false).split("\n"));
    }
    lines.push("maps", this.smaps());
    return lines;
  }
}

/** Case `index` of a run seeded with `seed`: a command file's text with its header. */
export function fuzzCase(seed: number, index: number, length: number): string {
  const gen = new CaseGenerator(caseSeed(seed, index));
  const lines = gen.generateCase(length);
  const head = [`# fuzz: seed ${seed} case ${index} (length ${length})`];
  // Registering over a /tmp file mapping is EINVAL on ext4 (mmlab's /tmp), not on tmpfs.
  if (gen.uffd) head.push("# requires: tmp_fs=ext4");
  return [...head, "", ...lines, ""].join("\n");
}

/** The command name a line runs (`mmap`, `peek`, `maps`, ... ; `@c1 x` gives x's). */
export function commandOf(line: string): string {
  const l = line.trim().replace(/^@\w+\s+/, "").replace(/^\w+\s*=\s*/, "");
  return /^(\w+)/.exec(l)?.[1] ?? "";
}

/** The command of a result's first differing line. */
export function firstDifferingCommand(r: DiffResult, text: string): string {
  if (r.first === undefined) return "";
  const lineNo = r.steps[r.first].lineNo;
  return commandOf(text.split("\n")[lineNo - 1] ?? "");
}

/** Runs a case; a harness error counts as no difference (`error` says why). */
export async function runCase(
  text: string,
  source: string,
): Promise<{ r?: DiffResult; error?: string }> {
  try {
    return { r: await runDifferential(text, { source }) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/**
 * Shrinks a differing case: the header is kept, the command lines are cut
 * by ddmin and then one by one while the result still differs at a line
 * running `command`. Returns the smallest text found.
 */
export async function shrink(
  text: string,
  command: string,
  opts: { budget?: number; log?: (s: string) => void } = {},
): Promise<string> {
  const all = text.split("\n");
  const header = all.filter((l) => l.startsWith("#"));
  let body = all.filter((l) => l.trim() !== "" && !l.startsWith("#"));
  let budget = opts.budget ?? 400;
  const textOf = (ls: string[]) => [...header, "", ...ls, ""].join("\n");
  const reproduces = async (ls: string[]): Promise<boolean> => {
    if (budget-- <= 0) return false;
    const t = textOf(ls);
    const { r } = await runCase(t, "<shrink>");
    return r !== undefined && r.status === "differ" && firstDifferingCommand(r, t) === command;
  };
  // ddmin over chunks of lines.
  let n = 2;
  while (body.length >= 2 && budget > 0) {
    const size = Math.ceil(body.length / n);
    let cut = false;
    for (let i = 0; i < body.length; i += size) {
      const rest = [...body.slice(0, i), ...body.slice(i + size)];
      if (rest.length > 0 && await reproduces(rest)) {
        body = rest;
        n = Math.max(n - 1, 2);
        cut = true;
        break;
      }
    }
    if (!cut) {
      if (size === 1) break;
      n = Math.min(n * 2, body.length);
    }
  }
  // Then single lines, from the end, until nothing more can go.
  for (let changed = true; changed && budget > 0;) {
    changed = false;
    for (let i = body.length - 1; i >= 0; i--) {
      const rest = [...body.slice(0, i), ...body.slice(i + 1)];
      if (rest.length > 0 && await reproduces(rest)) {
        body = rest;
        changed = true;
      }
    }
  }
  // Nothing after the first difference is needed.
  const t = textOf(body);
  const { r } = await runCase(t, "<shrink>");
  if (r?.first !== undefined) {
    const stop = r.steps[r.first].lineNo;
    return t.split("\n").slice(0, stop).join("\n") + "\n";
  }
  opts.log?.("shrinking lost the difference (a flaky case?)");
  return t;
}

/** Options of a fuzz run. */
export interface FuzzOptions {
  seed: number;
  cases: number;
  length: number;
  /** Where reproducers go; none are written when undefined. */
  out?: string;
  /** Shrink differing cases (default true). */
  shrink?: boolean;
  log?: (s: string) => void;
  /** Called before each case and at the end: cases done, of how many, how many differ. */
  progress?: (done: number, total: number, differ: number) => void;
}

/** The outcome of a fuzz run. */
export interface FuzzSummary {
  cases: number;
  agree: number;
  differ: number;
  /** Harness errors, and generated cases with a malformed line (a generator bug). */
  errors: number;
  /** Cases this host cannot compare (probe.ts), with the reasons. */
  skipped: { index: number; reason: string }[];
  /** What the run adapted to on this host (probe.ts). */
  adaptations: string;
  /** Per differing case: the index, the first difference (text) and the reproducer's path. */
  found: { index: number; description: string; file?: string }[];
}

/** Runs `cases` generated cases through the differential oracle. */
export async function fuzz(opts: FuzzOptions): Promise<FuzzSummary> {
  const log = opts.log ?? (() => {});
  const sum: FuzzSummary = {
    cases: 0,
    agree: 0,
    differ: 0,
    errors: 0,
    skipped: [],
    adaptations: await hostAdaptations() ?? "",
    found: [],
  };
  for (let i = 0; i < opts.cases; i++) {
    opts.progress?.(i, opts.cases, sum.differ);
    const text = fuzzCase(opts.seed, i, opts.length);
    const source = `fuzz seed ${opts.seed} case ${i}`;
    const { r, error } = await runCase(text, source);
    sum.cases++;
    if (error !== undefined || r === undefined) {
      sum.errors++;
      log(`${source}: harness error: ${error}`);
      continue;
    }
    if (r.status === "skip") {
      sum.skipped.push({ index: i, reason: r.reason ?? "" });
      log(`${source}: skipped: ${r.reason}`);
      continue;
    }
    if (r.status === "invalid") {
      sum.errors++;
      log(describeDifference(r, source).join("\n"));
      continue;
    }
    if (r.status === "same") {
      sum.agree++;
      continue;
    }
    sum.differ++;
    const description = describeDifference(r, source).join("\n");
    log(description);
    const found: FuzzSummary["found"][number] = { index: i, description };
    if (opts.out !== undefined) {
      const min = opts.shrink === false
        ? text
        : await shrink(text, firstDifferingCommand(r, text), { log });
      await Deno.mkdir(opts.out, { recursive: true });
      found.file = `${opts.out}/seed${opts.seed}-case${i}.mm`;
      await Deno.writeTextFile(found.file, min);
      log(`  reproducer: ${found.file} (${min.split("\n").filter(isCommand).length} lines)`);
    }
    sum.found.push(found);
  }
  opts.progress?.(opts.cases, opts.cases, sum.differ);
  return sum;
}

function isCommand(l: string): boolean {
  return l.trim() !== "" && !l.startsWith("#");
}
