/**
 * The emulated machine: physical memory, filesystems, processes, policies,
 * the kernel log, a seeded generator and a virtual clock. Pure: no I/O, no
 * host time, no host randomness.
 *
 * @example
 * ```ts
 * import { Machine } from "./machine.ts";
 * const m = new Machine({ ramBytes: 64 << 20 });
 * console.log(m.init.pid); // 1
 * ```
 * @module
 */

import { IomemTree, PCI_WINDOW_BASE, PCI_WINDOW_SIZE, type Resource } from "./phys/iomem.ts";
import { FrameTable } from "./phys/frames.ts";
import type { KernelTrace } from "./trace/kernel_trace.ts";
import type { PopulateDeferral } from "./mm/populate.ts";
import { Filesystem } from "./fs/fs.ts";
import { Rng } from "./util/rng.ts";
import { VirtualClock } from "./util/clock.ts";
import { Dmesg } from "./dmesg.ts";
import { EventLog } from "./events.ts";
import { Mm } from "./mm/mm.ts";
import { type Disposition, Process } from "./proc/process.ts";
import type { Task } from "./proc/task.ts";
import { Scheduler } from "./sched/core.ts";
import { AnonVma } from "./mm/vma.ts";
import type { PteTable } from "./mm/pagetable.ts";
import {
  checkKnob,
  checkPreset,
  DEFAULT_PRESET,
  type KnobName,
  type KnobValue,
  type Policies,
  presetPolicies,
} from "./policy.ts";
import { DEFAULT_MAX_MAP_COUNT } from "./abi/layout.ts";
import { execInitialImage } from "./proc/exec.ts";
import { outOfMemory } from "./proc/oom_kill.ts";
import { installStdio } from "./fs/syscalls.ts";
import { OpenFile } from "./fs/file.ts";
import { RdmaSubsystem } from "./drivers/rdma/subsystem.ts";
import { mlx5CoreDriver } from "./drivers/rdma/mlx5_core.ts";
import { Taint } from "./panic.ts";
import { VmStat } from "./mm/vmstat.ts";
import { killProcess } from "./proc/exit.ts";
import { SIGSEGV } from "./abi/signal.ts";
import { NvmeNamespace } from "./drivers/nvme/nvme.ts";
import { BLKDEV_FOPS } from "./block/blkdev.ts";
import { DEVTMPFS_SB } from "./fs/fs.ts";
import { Inode } from "./fs/inode.ts";
import { PciTopology } from "./pci/topology.ts";
import { DEFAULT_PCI, type PciConfig } from "./pci/config.ts";
import { DriverCore } from "./drivers/core/driver.ts";
import { topologyStubs } from "./drivers/core/stubs.ts";
import { attachPmem } from "./fs/dax_device.ts";
import type { PmemDevice } from "./fs/dax.ts";
import { P2pdma } from "./pci/p2pdma.ts";
import { gpuDriver } from "./drivers/gpu/gpu.ts";
import { addPciSysfs } from "./drivers/core/sysfs.ts";
import { sriovNumvfsStore } from "./drivers/core/sriov.ts";
import { Vfio, vfioPciDriver } from "./drivers/vfio/pci_core.ts";

/** /proc/sys/vm knobs. */
export interface Sysctl {
  /** vm.max_map_count */
  maxMapCount: number;
  /** vm.mmap_min_addr (this project's machines: 4096) */
  mmapMinAddr: number;
  /** vm.overcommit_memory: 0 heuristic, 1 always, 2 strict */
  overcommitMemory: 0 | 1 | 2;
  /** vm.overcommit_ratio (percent) */
  overcommitRatio: number;
  /** fs.lease-break-time: seconds a lease break waits (fs/locks.c, default 45) */
  leaseBreakTime: number;
  /** vm.memory_failure_early_kill: 1 signals every mapper at once (BUS_MCEERR_AO) */
  memoryFailureEarlyKill: number;
}

/** How to build a {@link Machine}; every field has a default. */
export interface MachineConfig {
  /** Physical memory in bytes; default 1 GiB. */
  ramBytes?: number;
  /** Seed of the machine's one generator; default 1. */
  seed?: number;
  /** An era or RFC preset; default linux-6.18. */
  preset?: string;
  /** Individual policy overrides on top of the preset. */
  policies?: Partial<Record<KnobName, string>>;
  /** /proc/sys/vm overrides on top of the defaults. */
  sysctl?: Partial<Sysctl>;
  /** The init process's command name; default "prog". */
  comm?: string;
  /** Whether the user is root (CAP_SYS_RAWIO, CAP_IPC_LOCK...); default true. */
  root?: boolean;
  /** What SIGSEGV/SIGBUS do by default; the REPL's default is `catch`. */
  defaultDisposition?: Disposition;
  /**
   * The PCI hardware (lib/pci/config.ts): a topology, `"default"` (a
   * switch with an RDMA NIC and a GPU, a NIC for vfio, an NVMe disk), or
   * `"none"` (the default here: only the host bridge; the REPL boots
   * `"default"`).
   */
  pci?: PciConfig | "default" | "none";
  /**
   * Persistent memory after RAM, in bytes (0: none, the library default;
   * the REPL boots 256 MiB): an ext4 -o dax filesystem on /mnt/pmem and
   * the device-dax node /dev/dax0.0 (lib/fs/dax.ts).
   */
  pmemBytes?: number;
}

/** The default machine size: 1 GiB. */
export const DEFAULT_RAM = 1 << 30;
/** The smallest machine: 1 MiB (the frame table reserves 1/16 of it for the "kernel"). */
export const MIN_RAM = 1 << 20;
/**
 * The largest machine: 64 GiB. The frame table holds about 33 bytes of host
 * memory per 4 KiB frame from the start (lib/phys/frames.ts), so 64 GiB
 * already costs some 530 MiB of the host's; larger machines are refused
 * rather than exhausting it.
 */
export const MAX_RAM = 64 * 2 ** 30;

/** Why `bytes` is not a machine size, or null: whole pages, MIN_RAM to MAX_RAM. */
export function checkRam(bytes: number): string | null {
  if (!Number.isSafeInteger(bytes) || bytes % 4096 !== 0) {
    return `RAM must be a whole number of 4 KiB pages, not ${bytes} bytes`;
  }
  if (bytes < MIN_RAM) return `RAM of ${bytes} bytes is below the minimum of 1M`;
  if (bytes > MAX_RAM) return `RAM of ${bytes} bytes is above the maximum of 64G`;
  return null;
}

/**
 * One emulated x86-64 Linux machine: physical memory, devices, processes
 * and the kernel state they share.
 */
export class Machine {
  /** The configuration with defaults filled in. */
  readonly config: Readonly<
    Required<Omit<MachineConfig, "policies" | "sysctl" | "pci" | "pmemBytes">>
  >;
  /** The one seeded generator everything random draws from. */
  readonly rng: Rng;
  /** The virtual clock (nanoseconds); nothing reads the host's time. */
  readonly clock: VirtualClock = new VirtualClock();
  /** What happened, in order (signals, exits, forks, log lines). */
  readonly events: EventLog = new EventLog(this.clock);
  /** The kernel log ring buffer (dmesg). */
  readonly dmesg: Dmesg;
  /** The kernel's taint flags: W after a WARNING, D after an oops (kernel/panic.c). */
  readonly taint: Taint = new Taint();
  /** /proc/vmstat counters nothing else derives (nr_foll_pin_*). */
  readonly vmstat: VmStat = new VmStat();
  /** Physical page frames: struct page state for every PFN of RAM. */
  readonly frames: FrameTable;
  /** Persistent memory and its DAX filesystem, or null (lib/fs/dax.ts). */
  readonly pmem: PmemDevice | null = null;
  /** The NVMe disk behind /dev/nvme0n1 (lib/drivers/nvme). */
  readonly nvme: NvmeNamespace;
  /** The physical address space: RAM and device ranges (/proc/iomem). */
  readonly iomem: IomemTree;
  /** The PCI host bridge window BARs are assigned from. */
  readonly pciWindow: Resource;
  /** The PCI hierarchy (lib/pci). */
  readonly pci: PciTopology;
  /** The bus/driver core: registered drivers, bind and unbind (lib/drivers/core). */
  readonly drivers: DriverCore;
  /** Peer-to-peer DMA: ACS state, providers, map types (lib/pci/p2pdma.ts). */
  readonly p2pdma: P2pdma;
  /** vfio: containers, groups, and the devices bound to vfio-pci (lib/drivers/vfio). */
  readonly vfio: Vfio;
  /** The file namespace: linked names and mounts. */
  readonly fs: Filesystem = new Filesystem();
  /** The /proc/sys/vm settings in force. */
  readonly sysctl: Sysctl;
  /** The policy knobs in force: the preset with its overrides. */
  readonly policies: Policies;
  /** Processes by pid, in pid order. */
  readonly procs: Map<number, Process> = new Map();
  /** Tasks by tid (group leaders included; reaped threads leave). */
  readonly tasks: Map<number, Task> = new Map();
  /** Run queue, wait/wake and timers on the virtual clock. */
  readonly sched: Scheduler = new Scheduler(this.clock, this.events);
  /**
   * The task on the CPU (kernel `current`) while a syscall or an access
   * runs in a thread; null between commands (then the leader is meant).
   */
  current: Task | null = null;
  /**
   * The kernel path tracer while `trace on` holds, else null: traced sites
   * call `m.trace?.step(...)`, one property check when off (lib/trace/).
   */
  trace: KernelTrace | null = null;
  /**
   * Set while a client runs a call whose populate it steps (lib/stepped_syscall.ts):
   * the call leaves its populate there (lib/mm/populate.ts populateThen). Else null.
   */
  populateDeferral: PopulateDeferral | null = null;
  /**
   * The per-CPU lru_deactivate batch (mm/swap.c cpu_fbatches): pfns queued
   * by folio_deactivate(), applied by lru_add_drain() (lib/mm/swap.ts).
   */
  readonly lruDeactivate: number[] = [];
  /** Freed PTE tables, shared by every mm's page table (see PageTable.pool). */
  readonly ptePool: PteTable[] = [];
  /** The RDMA devices the mlx5 driver registered, their uverbs nodes, libibverbs' state. */
  readonly rdma: RdmaSubsystem;
  /** What SIGSEGV/SIGBUS do in a new process. */
  defaultDisposition: Disposition;
  private nextPid = 1;
  private nextMm = 1;
  private nextAnonVma = 1;
  private nextFile = 1;
  private nextAnonIno = 1;
  /** sysfs inode numbers (kernfs gives them in creation order). */
  private nextSysfsIno = 20000;

  /** Boots a machine: RAM, devices and their drivers, the init process. */
  constructor(config: MachineConfig = {}) {
    this.config = {
      ramBytes: config.ramBytes ?? DEFAULT_RAM,
      seed: config.seed ?? 1,
      preset: config.preset ?? DEFAULT_PRESET,
      comm: config.comm ?? "prog",
      root: config.root ?? true,
      defaultDisposition: config.defaultDisposition ?? "catch",
    };
    const ramErr = checkRam(this.config.ramBytes);
    if (ramErr !== null) throw new RangeError(ramErr);
    const base = presetPolicies(this.config.preset);
    if (base === undefined) throw new Error(checkPreset(this.config.preset)!);
    this.policies = { ...base };
    for (const [k, v] of Object.entries(config.policies ?? {})) {
      const err = checkKnob(k, String(v));
      if (err) throw new Error(err);
      (this.policies as Record<string, string>)[k] = String(v);
    }
    this.sysctl = {
      maxMapCount: DEFAULT_MAX_MAP_COUNT,
      mmapMinAddr: 4096,
      overcommitMemory: 0,
      overcommitRatio: 50,
      leaseBreakTime: 45,
      memoryFailureEarlyKill: 0,
      ...config.sysctl,
    };
    this.defaultDisposition = this.config.defaultDisposition;
    this.rng = new Rng(this.config.seed);
    this.dmesg = new Dmesg(this.clock, this.events);
    const pmemBytes = Math.floor((config.pmemBytes ?? 0) / 4096) * 4096;
    this.frames = new FrameTable({ ramBytes: this.config.ramBytes, pmemBytes });
    this.iomem = new IomemTree(this.config.ramBytes);
    if (pmemBytes > 0) this.pmem = attachPmem(this, pmemBytes);
    this.pciWindow = this.iomem.request(
      this.iomem.root,
      "PCI Bus 0000:00",
      PCI_WINDOW_BASE,
      PCI_WINDOW_SIZE,
    ) as Resource;
    this.frames.device = (pfn) => this.iomem.deviceBytes(pfn);
    // The NVMe disk and its block device node, brw-rw---- 259:0 as udev makes it.
    this.nvme = new NvmeNamespace(this);
    const bdev = new Inode(6, DEVTMPFS_SB, "blockdev", "/dev/nvme0n1", 0, {
      fop: BLKDEV_FOPS,
      iop: {},
    });
    bdev.mode = 0o660;
    bdev.priv = this.nvme;
    this.fs.mknod("/dev/nvme0n1", bdev);
    const pci = config.pci ?? "none";
    this.pci = new PciTopology(
      this,
      pci === "default" ? DEFAULT_PCI : pci === "none" ? { nodes: [] } : pci,
    );
    this.p2pdma = new P2pdma(this.pci);
    this.drivers = new DriverCore(this);
    for (const d of this.pci.devices) {
      addPciSysfs(this.fs, d, () => this.sysfsIno(), (t) => sriovNumvfsStore(this, d, t));
    }
    for (const d of topologyStubs(this.pci.devices)) this.drivers.drivers.set(d.name, d);
    // Real drivers in place of their stubs.
    this.rdma = new RdmaSubsystem(this);
    this.drivers.drivers.set("mlx5_core", mlx5CoreDriver());
    this.drivers.drivers.set("nvidia", gpuDriver()); // the GPU exporter (lib/drivers/gpu)
    this.vfio = new Vfio(this);
    this.drivers.register(vfioPciDriver());
    this.drivers.bootProbe();
    this.spawn(this.config.comm);
  }

  /** The current value of a policy knob. */
  policy<K extends KnobName>(name: K): KnobValue<K> {
    return this.policies[name] as KnobValue<K>;
  }

  /** Sets a policy knob; returns an error message or null. */
  setPolicy(name: string, value: string): string | null {
    const err = checkKnob(name, value);
    if (err) return err;
    (this.policies as Record<string, string>)[name] = value;
    return null;
  }

  /** pid 1, the first process. */
  get init(): Process {
    return this.procs.get(1)!;
  }

  /** The process with `pid`, if it exists. */
  process(pid: number): Process | undefined {
    return this.procs.get(pid);
  }

  /** The task `tid` (a pid names its group leader). */
  task(tid: number): Task | undefined {
    return this.tasks.get(tid);
  }

  /** Runs `fn` with `t` as the current task (syscalls and accesses made in a thread). */
  runIn<R>(t: Task, fn: () => R): R {
    const saved = this.current;
    this.current = t;
    try {
      return fn();
    } finally {
      this.current = saved;
    }
  }

  /**
   * The task a call in process `p` runs in: `current` if it is p's, else
   * p's leader, or its first live thread when the leader has exited.
   */
  currentOf(p: Process): Task {
    const c = this.current;
    if (c !== null && c.group === p) return c;
    return p.leader.alive ? p.leader : p.threads.find((t) => t.alive) ?? p.leader;
  }

  /** A new mm (mm_alloc). */
  newMm(): Mm {
    return new Mm(this, this.nextMm++);
  }

  /** A new anon_vma, chained to `parent`'s by fork (anon_vma_fork), else a root. */
  newAnonVma(parent: AnonVma | null = null): AnonVma {
    return new AnonVma(this.nextAnonVma++, parent);
  }

  /** A new open file description on an inode. */
  openInode(inode: Inode, flags: number): OpenFile {
    return new OpenFile(this.nextFile++, inode, flags);
  }

  /** The next sysfs inode number (a function's files, lib/drivers/core/sysfs.ts). */
  sysfsIno(): number {
    return this.nextSysfsIno++;
  }

  /** The next anon_inodefs inode number (a userfaultfd context's id too). */
  nextUffdId(): number {
    return this.nextAnonIno++;
  }

  /** The next pid (alloc_pid); pids are never reused. */
  allocPid(): number {
    return this.nextPid++;
  }

  /**
   * A fork that failed before the kernel would have allocated its pid
   * (copy_process(): copy_mm() comes before alloc_pid()) gives it back,
   * so the next fork gets the same number.
   */
  unallocPid(pid: number): void {
    if (pid === this.nextPid - 1) this.nextPid--;
  }

  /** Creates a process running the initial program image (execve of a small program). */
  spawn(comm: string, ppid = 0): Process {
    const mm = this.newMm();
    const p = new Process(this, this.allocPid(), ppid, comm, mm);
    this.procs.set(p.pid, p);
    execInitialImage(p);
    // stdin, stdout and stderr on a terminal, as a shell would leave them.
    installStdio(p);
    return p;
  }

  /** Adds a process created elsewhere (fork). */
  adopt(p: Process): void {
    this.procs.set(p.pid, p);
  }
  /**
   * After an oops in kernel code run for the current task (lib/panic.ts
   * bugOops): make_task_dead(SIGSEGV) ends it (the process of `mm` when no
   * task is current). mmlab ends its whole
   * process (the kernel's do_exit ends only the thread; a single-threaded
   * program, the case the labs show, dies the same way).
   */
  oopsKill(mm: Mm): void {
    const t = this.current;
    let p = t !== null && t.group.mm === mm ? t.group : undefined;
    if (p === undefined) {
      p = [...this.procs.values()].find((q) => q.alive && q.mm === mm);
    }
    if (p !== undefined && p.alive) killProcess(p, { signal: SIGSEGV });
  }

  /**
   * The page allocator found no page after reclaim: run the OOM killer
   * (mm/oom_kill.c out_of_memory()). Returns the process killed, or null.
   */
  outOfMemory(): Process | null {
    return outOfMemory(this);
  }
}
