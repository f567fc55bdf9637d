/**
 * explain against the access itself, on random workloads that mix what a
 * fault can meet beyond plain memory: userfaultfd contexts (MISSING, WP and
 * MINOR registrations, UFFD_FEATURE_SIGBUS, threads already waiting), a
 * vfio-pci BAR mapping (memory on and off, each vfio.faultImpl), an RDMA
 * UAR mapping and the device's loss (each rdma.onDisassociate and
 * rdma.dummyPageScope), the GPU aperture and its revocation, long-term pins,
 * hwpoisoned pages, a DAX file (holes, blocks, truncate, a poisoned block)
 * and /dev/dax0.0. For every probe, by a random thread: the signal (signo,
 * si_code, si_addr), whether the thread waits (and which), the pfn mapped
 * afterwards (or that a page was allocated), and for a device page whether
 * a function answers (hw.mmioUnclaimed: all ones) all match the prediction,
 * and explain itself changed nothing.
 *
 * MMLAB_EXPLAIN_RUNS=N runs N sequences (default 300, a few seconds),
 * MMLAB_EXPLAIN_SEED=S another seed; MMLAB_EXPLAIN_SEEN=1 prints the
 * cases met.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cpuExec,
  cpuRead,
  cpuWrite,
  explainAccess,
  type Explanation,
  injectFault,
  Machine,
  pinUserPages,
  type Process,
  syscallIn,
  type Task,
  userfaultAccess,
  type VContext,
} from "../../mod.ts";
import {
  MADV_DONTNEED,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  O_CREAT,
  O_RDWR,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import {
  encodeStruct,
  type StructLayout,
  UFFDIO_API,
  UFFDIO_API_LAYOUT,
  UFFDIO_RANGE,
  UFFDIO_REGISTER,
  UFFDIO_REGISTER_LAYOUT,
  UFFDIO_REGISTER_MODE_MINOR,
  UFFDIO_REGISTER_MODE_MISSING,
  UFFDIO_REGISTER_MODE_WP,
  UFFDIO_UNREGISTER,
  UFFDIO_WRITEPROTECT,
  UFFDIO_WRITEPROTECT_LAYOUT,
  UFFDIO_WRITEPROTECT_MODE_WP,
} from "../../lib/abi/ioctl.ts";
import {
  UFFD_FEATURE_MINOR_SHMEM,
  UFFD_FEATURE_SIGBUS,
  UFFD_FEATURE_WP_ASYNC,
} from "../../lib/fs/userfaultfd.ts";
import {
  VFIO_CHECK_EXTENSION,
  VFIO_GET_API_VERSION,
  VFIO_GROUP_GET_DEVICE_FD,
  VFIO_GROUP_SET_CONTAINER,
  VFIO_SET_IOMMU,
  VFIO_TYPE1v2_IOMMU,
} from "../../mod.ts";
import { BUS_ADRERR, BUS_MCEERR_AR, SEGV_ACCERR, SEGV_MAPERR } from "../../lib/abi/signal.ts";
import { FOLL_LONGTERM, FOLL_WRITE } from "../../lib/mm/gup.ts";
import { PTE_PRESENT } from "../../lib/mm/pagetable.ts";
import { CLONE_FLAG_NAMES } from "../../mod.ts";
import type { KnobValue } from "../../lib/policy.ts";

const RUNS = Number(Deno.env.get("MMLAB_EXPLAIN_RUNS") ?? 300);
const SEED = Number(Deno.env.get("MMLAB_EXPLAIN_SEED") ?? 1313);
const K4 = 4096;
const F = Object.fromEntries(CLONE_FLAG_NAMES) as Record<string, number>;
const THREAD = F.CLONE_VM | F.CLONE_FS | F.CLONE_FILES | F.CLONE_SIGHAND | F.CLONE_THREAD;
const RW = PROT_READ | PROT_WRITE;

/** The regions a probe aims at: base address and pages. */
const ANON = 0x7f0000000000; // 8 pages: private or shared anonymous, uffd, pins
const VFIO = 0x7f0001000000; // 16 pages of BAR0 of 05:00.0
const GPU = 0x7f0002000000; // 2 pages of /dev/nvidia0
const DAXF = 0x7f0003000000; // 4 pages of /mnt/pmem/f, shared
const DAXP = 0x7f0004000000; // 4 pages of /mnt/pmem/f, private
const DEVDAX = 0x7f0005000000; // 2 pages of /dev/dax0.0
const FILE = 0x7f0006000000; // 4 pages of /tmp/f (page cache), shared
const FILEP = 0x7f0007000000; // 4 pages of /tmp/f, private
const ANON_PAGES = 8;

type Region =
  | "anon"
  | "vfio"
  | "rdma"
  | "gpu"
  | "daxf"
  | "daxp"
  | "devdax"
  | "file"
  | "filep";

type Op =
  | { k: "mmap"; at: number; n: number; prot: number; shared: boolean }
  | { k: "mprotect"; at: number; n: number; prot: number }
  | { k: "munmap" | "dontneed" | "unregister" | "wprotect"; at: number; n: number }
  | { k: "register"; at: number; n: number; mode: bigint }
  | { k: "touch"; r: Region; at: number; write: boolean; t: number }
  | { k: "fork" | "clone" | "memoff" | "memon" | "gpurevoke" }
  | { k: "rdmaloss"; how: "hot-unplug" | "fatal" | "mmio-disable" }
  | { k: "setpci"; how: "fatal" | "mmio-disable" | "hot-unplug" | "aer" }
  | { k: "pin"; at: number; n: number }
  | { k: "hwpoison"; r: "anon" | "daxf"; at: number }
  | { k: "daxwrite" | "daxtrunc" | "filetrunc" | "filewrite"; at: number }
  | { k: "probe"; r: Region; at: number; kind: "read" | "write" | "exec"; t: number };

interface Knobs {
  features: bigint;
  impl: KnobValue<"vfio.faultImpl">;
  onDisassociate: KnobValue<"rdma.onDisassociate">;
  scope: KnobValue<"rdma.dummyPageScope">;
  unclaimed: KnobValue<"hw.mmioUnclaimed">;
  zeroPage: KnobValue<"mm.zeroPage">;
}

const at = fc.nat({ max: ANON_PAGES - 1 });
const n = fc.integer({ min: 1, max: 3 });
const prot = fc.constantFrom(0, PROT_READ, RW, PROT_READ | PROT_EXEC);
const region = fc.constantFrom<Region>(
  "anon",
  "anon",
  "vfio",
  "rdma",
  "gpu",
  "daxf",
  "daxp",
  "devdax",
  "file",
  "filep",
);
const rec = <K extends string, T>(k: K, r: T) => fc.record({ k: fc.constant(k), ...r } as any);
const opArb = fc.oneof(
  { arbitrary: rec("mmap", { at, n, prot, shared: fc.boolean() }), weight: 3 },
  { arbitrary: rec("mprotect", { at, n, prot }), weight: 1 },
  { arbitrary: rec("munmap", { at, n }), weight: 1 },
  { arbitrary: rec("dontneed", { at, n }), weight: 1 },
  {
    arbitrary: rec("register", {
      at,
      n,
      mode: fc.constantFrom(
        UFFDIO_REGISTER_MODE_MISSING,
        UFFDIO_REGISTER_MODE_WP,
        UFFDIO_REGISTER_MODE_MINOR,
        UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP,
      ),
    }),
    weight: 3,
  },
  { arbitrary: rec("unregister", { at, n }), weight: 1 },
  { arbitrary: rec("wprotect", { at, n }), weight: 2 },
  {
    arbitrary: rec("touch", { r: region, at, write: fc.boolean(), t: fc.nat({ max: 5 }) }),
    weight: 6,
  },
  { arbitrary: rec("fork", {}), weight: 1 },
  { arbitrary: rec("clone", {}), weight: 1 },
  { arbitrary: rec("memoff", {}), weight: 1 },
  { arbitrary: rec("memon", {}), weight: 1 },
  {
    arbitrary: rec("rdmaloss", { how: fc.constantFrom("hot-unplug", "fatal", "mmio-disable") }),
    weight: 3,
  },
  {
    arbitrary: rec("setpci", {
      how: fc.constantFrom("fatal", "mmio-disable", "hot-unplug", "aer"),
    }),
    weight: 1,
  },
  { arbitrary: rec("gpurevoke", {}), weight: 1 },
  { arbitrary: rec("pin", { at, n }), weight: 1 },
  { arbitrary: rec("hwpoison", { r: fc.constantFrom("anon", "daxf"), at }), weight: 2 },
  { arbitrary: rec("daxwrite", { at: fc.nat({ max: 3 }) }), weight: 1 },
  { arbitrary: rec("daxtrunc", { at: fc.nat({ max: 4 }) }), weight: 1 },
  { arbitrary: rec("filetrunc", { at: fc.nat({ max: 4 }) }), weight: 1 },
  { arbitrary: rec("filewrite", { at: fc.nat({ max: 3 }) }), weight: 1 },
  {
    arbitrary: rec("probe", {
      r: region,
      at,
      kind: fc.constantFrom("read", "read", "write", "write", "exec"),
      t: fc.nat({ max: 5 }),
    }),
    weight: 6,
  },
) as fc.Arbitrary<Op>;

const knobsArb: fc.Arbitrary<Knobs> = fc.record({
  features: fc.constantFrom(
    0n,
    UFFD_FEATURE_MINOR_SHMEM,
    UFFD_FEATURE_SIGBUS | UFFD_FEATURE_MINOR_SHMEM,
    UFFD_FEATURE_WP_ASYNC,
  ),
  impl: fc.constantFrom<KnobValue<"vfio.faultImpl">[]>(
    "mmap-remap",
    "remap-in-fault",
    "insert-pfn+prefault",
    "insert-pfn",
    "huge-fault",
    "eager-reinsert",
  ),
  onDisassociate: fc.constantFrom<KnobValue<"rdma.onDisassociate">[]>(
    "block",
    "anon-private",
    "sigbus",
    "zero-page",
  ),
  scope: fc.constantFrom<KnobValue<"rdma.dummyPageScope">[]>("per-file", "per-vma", "per-address"),
  unclaimed: fc.constantFrom<KnobValue<"hw.mmioUnclaimed">[]>("all-ones", "host-fatal"),
  zeroPage: fc.constantFrom<KnobValue<"mm.zeroPage">[]>("map", "forbid"),
});

const probeArb = fc.record({
  r: region,
  at: fc.nat({ max: ANON_PAGES - 1 }),
  k: fc.constantFrom("read", "read", "write", "write", "exec") as fc.Arbitrary<
    "read" | "write" | "exec"
  >,
  t: fc.nat({ max: 5 }),
});

/** What a run saw, across all runs (the test fails if a case never came up). */
const seen = new Map<string, number>();
const note = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);

/** A machine with every region mapped, and the handles the ops need. */
class World {
  readonly m: Machine;
  readonly p: Process;
  readonly lead: Task;
  readonly uffd: number;
  readonly vfioFd: number;
  readonly uar: number;
  readonly daxFd: number;
  readonly fileFd: number;
  cfgFd: number;

  constructor(readonly knobs: Knobs) {
    this.m = new Machine({
      pci: "default",
      pmemBytes: 16 << 20,
      ramBytes: 64 << 20,
      policies: {
        "vfio.faultImpl": knobs.impl,
        "rdma.onDisassociate": knobs.onDisassociate,
        "rdma.dummyPageScope": knobs.scope,
        "hw.mmioUnclaimed": knobs.unclaimed,
        "mm.zeroPage": knobs.zeroPage,
        "config.MEMORY_FAILURE": "y",
      },
    });
    const m = this.m;
    this.p = m.init;
    this.lead = this.p.leader;
    const sys = (name: string, ...args: unknown[]) => syscallIn(this.lead, name, args).ret;
    assert.equal(
      sys("mmap", ANON, ANON_PAGES * K4, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
      ANON,
    );
    // The userfaultfd, its features fixed by this run.
    this.uffd = sys("userfaultfd", 0o4000);
    assert.ok(this.uffd >= 0);
    assert.equal(
      this.ioctl(this.uffd, UFFDIO_API, UFFDIO_API_LAYOUT, [["api", 0xaan], [
        "features",
        knobs.features,
      ]]),
      0,
    );
    // vfio-pci on 05:00.0: container, group, device, BAR0's first 64 KiB.
    const nic = m.pci.find("05:00.0")!;
    m.drivers.unbind(nic);
    nic.driverOverride = "vfio-pci";
    assert.equal(m.drivers.bind(nic, "vfio-pci"), 0);
    const vdev = m.vfio.device(nic)!;
    const c = sys("open", "/dev/vfio/vfio", O_RDWR);
    const g = sys("open", `/dev/vfio/${vdev.group.id}`, O_RDWR);
    assert.equal(sys("ioctl", c, VFIO_GET_API_VERSION, 0n), 0);
    assert.equal(sys("ioctl", c, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU), 1);
    assert.equal(
      sys("ioctl", g, VFIO_GROUP_SET_CONTAINER, { value: 0n, literal: Uint8Array.of(c, 0, 0, 0) }),
      0,
    );
    assert.equal(sys("ioctl", c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU), 0);
    this.vfioFd = sys("ioctl", g, VFIO_GROUP_GET_DEVICE_FD, new TextEncoder().encode(nic.bdf));
    assert.ok(this.vfioFd > 0);
    this.cfgFd = this.vfioFd;
    assert.equal(sys("mmap", VFIO, 16 * K4, RW, MAP_SHARED | MAP_FIXED, this.vfioFd, 0), VFIO);
    // RDMA: mlx5_1 (the VF 03:00.1) opened by libibverbs: its UAR page is mapped.
    const v = m.rdma.verbs;
    const ctx = m.runIn(
      this.lead,
      () => v.lookup(this.p, v.openDevice(this.p, "mlx5_1").ret, ["context"]),
    ) as VContext;
    this.uar = Number(ctx.uar);
    // The GPU aperture.
    const gfd = sys("open", "/dev/nvidia0", O_RDWR);
    assert.equal(sys("mmap", GPU, 2 * K4, RW, MAP_SHARED | MAP_FIXED, gfd, 0), GPU);
    // A DAX file of 4 pages, mapped shared and private; /dev/dax0.0.
    this.daxFd = sys("open", "/mnt/pmem/f", O_RDWR | O_CREAT, 0o644);
    assert.equal(sys("ftruncate", this.daxFd, 4 * K4), 0);
    assert.equal(sys("mmap", DAXF, 4 * K4, RW, MAP_SHARED | MAP_FIXED, this.daxFd, 0), DAXF);
    assert.equal(sys("mmap", DAXP, 4 * K4, RW, MAP_PRIVATE | MAP_FIXED, this.daxFd, 0), DAXP);
    // A page-cache file, mapped shared and private.
    this.fileFd = sys("open", "/tmp/f", O_RDWR | O_CREAT, 0o644);
    assert.equal(sys("ftruncate", this.fileFd, 4 * K4), 0);
    assert.equal(sys("mmap", FILE, 4 * K4, RW, MAP_SHARED | MAP_FIXED, this.fileFd, 0), FILE);
    assert.equal(sys("mmap", FILEP, 4 * K4, RW, MAP_PRIVATE | MAP_FIXED, this.fileFd, 0), FILEP);
    const dd = sys("open", "/dev/dax0.0", O_RDWR);
    assert.equal(sys("mmap", DEVDAX, 2 * K4, RW, MAP_SHARED | MAP_FIXED, dd, 0), DEVDAX);
  }

  ioctl(fd: number, cmd: number, layout: StructLayout, v: [string, unknown][]): number {
    const bytes = encodeStruct(layout, new Map(v as [string, bigint][])) as Uint8Array;
    return syscallIn(this.lead, "ioctl", [fd, cmd, { value: 0n, literal: bytes }]).ret;
  }

  range(a: number, len: number) {
    return new Map([["start", BigInt(a)], ["len", BigInt(len)]]);
  }

  /** The address of page `at` of region `r`. */
  addr(r: Region, at: number): number {
    switch (r) {
      case "anon":
        return ANON + at * K4;
      case "vfio":
        return VFIO + (at * 2) * K4;
      case "rdma":
        return this.uar;
      case "gpu":
        return GPU + (at % 2) * K4;
      case "daxf":
        return DAXF + (at % 4) * K4;
      case "daxp":
        return DAXP + (at % 4) * K4;
      case "devdax":
        return DEVDAX + (at % 2) * K4;
      case "file":
        return FILE + (at % 4) * K4;
      case "filep":
        return FILEP + (at % 4) * K4;
    }
  }

  /** Threads of p that can run an access (not asleep in handle_userfault). */
  runnable(): Task[] {
    return this.p.threads.filter((t) => t.alive && t.state === "running");
  }

  /** A running thread, by index; a new one when all wait. */
  thread(i: number): Task | undefined {
    let ts = this.runnable();
    if (ts.length === 0 && this.p.threads.length < 8) {
      const waiting = this.p.threads.find((t) => t.alive);
      if (waiting === undefined) return undefined;
      // clone from a running thread is impossible: all wait; stop here.
      return undefined;
    }
    if (ts.length < 2 && this.p.threads.length < 8) {
      syscallIn(ts[0], "clone", [THREAD]);
      ts = this.runnable();
    }
    return ts[i % ts.length];
  }

  /** A COMMAND write through vfio's config region (memory on or off). */
  setMemory(on: boolean): void {
    const v = on ? 0x0006 : 0x0004;
    syscallIn(this.lead, "pwrite", [
      this.cfgFd,
      Uint8Array.of(v & 0xff, v >> 8),
      2,
      (7n << 40n) + 4n,
    ]);
  }

  step(o: Op): void {
    const m = this.m, p = this.p;
    const lead = this.runnable()[0];
    if (lead === undefined) return;
    const sys = (name: string, ...args: unknown[]) => syscallIn(lead, name, args).ret;
    switch (o.k) {
      case "mmap":
        sys(
          "mmap",
          ANON + o.at * K4,
          o.n * K4,
          o.prot,
          (o.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED,
          -1,
          0,
        );
        break;
      case "mprotect":
        sys("mprotect", ANON + o.at * K4, o.n * K4, o.prot);
        break;
      case "munmap":
        sys("munmap", ANON + o.at * K4, o.n * K4);
        break;
      case "dontneed":
        sys("madvise", ANON + o.at * K4, o.n * K4, MADV_DONTNEED);
        break;
      case "register":
        if (
          this.ioctl(this.uffd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, [
            ["range", this.range(ANON + o.at * K4, o.n * K4)],
            ["mode", o.mode],
          ]) === 0
        ) note(`register ${o.mode}`);
        break;
      case "unregister":
        this.ioctl(this.uffd, UFFDIO_UNREGISTER, UFFDIO_RANGE, [
          ["start", BigInt(ANON + o.at * K4)],
          ["len", BigInt(o.n * K4)],
        ]);
        break;
      case "wprotect":
        // Registered for WP first (it fails where the range is not all mapped).
        this.ioctl(this.uffd, UFFDIO_REGISTER, UFFDIO_REGISTER_LAYOUT, [
          ["range", this.range(ANON + o.at * K4, o.n * K4)],
          ["mode", UFFDIO_REGISTER_MODE_WP],
        ]);
        if (
          this.ioctl(this.uffd, UFFDIO_WRITEPROTECT, UFFDIO_WRITEPROTECT_LAYOUT, [
            ["range", this.range(ANON + o.at * K4, o.n * K4)],
            ["mode", UFFDIO_WRITEPROTECT_MODE_WP],
          ]) === 0
        ) note("wprotect");
        break;
      case "touch": {
        const t = this.thread(o.t);
        if (t === undefined) break;
        const a = this.addr(o.r, o.at);
        userfaultAccess(
          t,
          o.write ? "poke" : "peek",
          o.write
            ? (from) => cpuWrite(p, a + 16 + from, Uint8Array.of(7).subarray(from))
            : (from) => cpuRead(p, a + 16 + from, 4 - from),
        );
        break;
      }
      case "fork":
        if (m.procs.size < 3) sys("fork");
        break;
      case "clone":
        if (p.threads.length < 6) sys("clone", THREAD);
        break;
      case "memoff":
      case "memon":
        this.setMemory(o.k === "memon");
        break;
      case "rdmaloss":
        if (m.pci.find("03:00.1") !== undefined) {
          injectFault(m, o.how, "0000:03:00.1");
          note(`rdma ${o.how}`);
        }
        break;
      case "setpci":
        // Behind vfio's back: its virtual COMMAND still says Mem+, the device does not answer.
        if (m.pci.find("05:00.0") === undefined) break;
        injectFault(m, o.how, "0000:05:00.0");
        note(`vfio ${o.how}`);
        break;
      case "gpurevoke":
        if (m.pci.find("04:00.0") !== undefined) {
          injectFault(m, "hot-unplug", "0000:04:00.0");
          note("gpurevoke");
        }
        break;
      case "pin": {
        // A GUP fault in a registered range would wait in the kernel: pin outside them.
        for (let i = 0; i < o.n; i++) if (p.mm.vmas.lookup(ANON + (o.at + i) * K4)?.uffd) return;
        const r = m.runIn(
          lead,
          () => pinUserPages(p.mm, ANON + o.at * K4, o.n, FOLL_WRITE | FOLL_LONGTERM),
        );
        if (r.err === undefined || r.err >= 0) note("pin");
        break;
      }
      case "hwpoison": {
        const a = o.r === "anon" ? ANON + o.at * K4 : DAXF + (o.at % 4) * K4;
        const vpn = a / K4;
        // Touched first, so that a page is there to poison.
        if (p.mm.vmas.lookup(a)?.uffd) break;
        m.runIn(lead, () => cpuWrite(p, a, Uint8Array.of(9)));
        if (!p.alive || !(p.mm.pt.bitsAt(vpn) & PTE_PRESENT)) break;
        const pfn = p.mm.pt.pfnAt(vpn);
        if (pfn === m.frames.zeroPfn || pfn >= m.frames.nframes) break;
        injectFault(m, "hwpoison", String(pfn));
        note(`hwpoison ${o.r}`);
        break;
      }
      case "daxwrite":
        sys("pwrite", this.daxFd, Uint8Array.of(1, 2, 3), 3, BigInt(o.at * K4));
        break;
      case "daxtrunc":
        sys("ftruncate", this.daxFd, o.at * K4);
        break;
      case "filewrite":
        sys("pwrite", this.fileFd, Uint8Array.of(1, 2, 3), 3, BigInt(o.at * K4));
        break;
      case "filetrunc":
        sys("ftruncate", this.fileFd, o.at * K4);
        break;
      case "probe":
        probe(this, o.r, o.at, o.kind, o.t);
        break;
    }
  }
}

/** The signal of an explanation as `signo/code/addr`. */
function sigText(e: Explanation): string | null {
  if (e.signal === null) return null;
  const code: Record<string, number> = {
    SEGV_MAPERR,
    SEGV_ACCERR,
    BUS_ADRERR,
    BUS_MCEERR_AR,
  };
  return `${e.signal.signo}/${code[e.signal.code]}/${e.signal.addr}`;
}

/** Everything explain must leave alone: PTEs of every region, frames, devices, the clock. */
function digest(w: World): string {
  const m = w.m;
  const parts: unknown[] = [m.clock.ns, m.frames.freeCount, m.pmem?.blocks.freeCount];
  parts.push(m.dmesg.lines.length, JSON.stringify(m.vmstat));
  for (const r of ["anon", "vfio", "gpu", "daxf", "daxp", "devdax", "file", "filep"] as const) {
    for (let i = 0; i < ANON_PAGES; i++) {
      const vpn = w.addr(r, i) / K4;
      parts.push(w.p.mm.pt.bitsAt(vpn), w.p.mm.pt.pfnAt(vpn));
    }
  }
  let rc = 0;
  for (let i = 0; i < m.frames.nframes; i++) rc += m.frames.refcount[i] * (i + 1);
  parts.push(rc);
  for (const d of m.pci.devices) parts.push(m.vfio.device(d)?.faults.length);
  return JSON.stringify(parts);
}

/** One probe: explain, then the access by the same thread, compared. */
function probe(
  w: World,
  r: Region,
  atPage: number,
  k: "read" | "write" | "exec",
  ti: number,
): void {
  const m = w.m, p = w.p;
  const t = w.thread(ti);
  if (t === undefined || !p.alive) return;
  const addr = w.addr(r, atPage) + 16;
  const vpn = Math.floor(addr / K4);
  const d0 = digest(w);
  const e = m.runIn(t, () => explainAccess(p, addr, k));
  assert.equal(digest(w), d0, "explain changed the machine");
  const rc = m.frames.refcount.slice();
  const before = p.mm.pt.bitsAt(vpn) & PTE_PRESENT ? p.mm.pt.pfnAt(vpn) : -1;
  const res = userfaultAccess(
    t,
    k,
    k === "read"
      ? (from) => cpuRead(p, addr + from, 4 - from)
      : k === "write"
      ? (from) => cpuWrite(p, addr + from, Uint8Array.of(7).subarray(from))
      : () => cpuExec(p, addr),
  );
  const why = `${k} at ${addr.toString(16)} (${r}) by ${t.tid}: ${e.path.join("; ")}`;
  const blocked = res.pending !== undefined;
  note(`${r} ${e.outcome}`);
  assert.equal(blocked, e.outcome === "userfault", `waits: ${why}`);
  if (blocked) {
    assert.equal(e.wait?.tid, t.tid, why);
    return;
  }
  const s = res.result.sig;
  if (s !== undefined && s.signo === 9) return; // the OOM killer, or an oops: out of scope
  assert.equal(
    s === undefined ? null : `${s.signo}/${s.code}/${s.addr}`,
    sigText(e),
    `signal: ${why}`,
  );
  if (s !== undefined || !p.alive || e.outcome === "stack-grow") return;
  const after = p.mm.pt.bitsAt(vpn) & PTE_PRESENT ? p.mm.pt.pfnAt(vpn) : -1;
  if (e.maps === "new") {
    assert.ok(after >= 0 && after !== before && rc[after] === 0, `a new page: ${after}, ${why}`);
  } else if (e.maps !== null) {
    assert.equal(after, e.maps, `pfn: ${why}`);
  }
  // A device page: a function answers, or all ones (hw.mmioUnclaimed).
  if (k === "read" && e.frame !== null && "claimed" in e.frame) {
    const allOnes = res.result.bytes!.every((b) => b === 0xff);
    assert.equal(allOnes, !e.frame.claimed, `mmio: ${why}`);
    note(`mmio ${e.frame.claimed ? "claimed" : "unclaimed"}`);
  }
}

Deno.test("explain predicts the access on devices, uffd, pins, hwpoison and DAX (random workloads)", () => {
  seen.clear();
  fc.assert(
    fc.property(
      knobsArb,
      fc.array(opArb, { maxLength: 30 }),
      fc.array(probeArb, { minLength: 1, maxLength: 10 }),
      (knobs, ops, probes) => {
        const w = new World(knobs);
        for (const o of ops) {
          w.step(o);
          if (!w.p.alive) return;
        }
        for (const q of probes) {
          probe(w, q.r, q.at, q.k, q.t);
          if (!w.p.alive) return;
        }
      },
    ),
    { numRuns: RUNS, seed: SEED },
  );
  // The runs met the cases this test is about (a test that cannot fail is a defect).
  const want = [
    "vfio driver-fault",
    "vfio sigbus",
    "vfio hit",
    "rdma hit",
    "gpu hit",
    "gpu sigbus",
    "daxf driver-fault",
    "daxp driver-fault",
    "devdax driver-fault",
    "file file-fault",
    "file sigbus",
    "filep file-fault",
    "anon userfault",
    "anon sigbus",
    "daxf sigbus",
    "rdma sigbus",
    "mmio unclaimed",
    "hwpoison anon",
    "hwpoison daxf",
    "wprotect",
  ];
  if (Deno.env.get("MMLAB_EXPLAIN_SEEN")) console.log([...seen].sort());
  // With the default seed and at least the default runs, every case came up.
  const missing = SEED === 1313 && RUNS >= 300 ? want.filter((k) => !seen.has(k)) : [];
  assert.deepEqual(missing, [], JSON.stringify([...seen].sort()));
});
