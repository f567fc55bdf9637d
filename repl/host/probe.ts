/**
 * What the host kernel does differently from the machine mmlab models, and
 * how a differential run adapts to it.
 *
 * {@link probeHost} asks a fresh mmhost subject, once per run: does a read
 * fault on private anonymous memory count in Rss (then the host forbids
 * the shared zero page, mm_forbids_zeropage()), which THP and mTHP modes
 * are set and whether the process-level THP control exists
 * (PR_THP_DISABLE_EXCEPT_ADVISED, 6.18), whether KSM merges every VMA of
 * the process (an inherited PR_SET_MEMORY_MERGE), swap, the vm sysctls the
 * cases read, privilege (root, RLIMIT_MEMLOCK), the RAM size and proactive
 * reclaim (DAMON_RECLAIM).
 *
 * {@link decide} is pure: from a {@link HostProbe} it chooses, for each
 * difference, a matching mmlab knob or machine setting, a request the host
 * subject runs before a case, or which cases to skip and why. Every choice
 * is named in {@link Adaptation.adapted} or a skip reason, so a run's
 * summary says what it adapted to.
 * @module
 */

import type { MachineConfig } from "../../mod.ts";
import { decodeBytes, encodeBytes, type HostServer, parseS64 } from "./protocol.ts";
import { WINDOW_LO } from "./window.ts";

/** The host as the probe saw it. */
export interface HostProbe {
  /** /proc/sys/kernel/osrelease ("" if unreadable). */
  kernel: string;
  /** Rss (kB) of a private anonymous page after one read of it. */
  readFaultRssKb: number;
  /** /sys/kernel/mm/transparent_hugepage/enabled: the bracketed mode ("none" if absent). */
  thp: string;
  /** The mTHP sizes' modes (hugepages-SIZEkB/enabled), by size in kB. */
  thpSizes: Record<string, string>;
  /** Whether prctl(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED) is accepted. */
  thpExceptAdvised: boolean;
  /** transparent_hugepage/shmem_enabled: the bracketed mode ("none" if absent). */
  shmemThp: string;
  /** PR_GET_MEMORY_MERGE: every VMA of a new process is KSM-mergeable (inherited). */
  mergeAny: boolean;
  /** /sys/kernel/mm/ksm/run ("" without CONFIG_KSM). */
  ksmRun: string;
  /** A swap area is active. */
  swap: boolean;
  maxMapCount: number;
  mmapMinAddr: number;
  overcommitMemory: number;
  overcommitRatio: number;
  /** MemTotal of /proc/meminfo, in kB. */
  memTotalKb: number;
  /** The subject runs as root (effective uid 0), as mmlab's process does by default. */
  root: boolean;
  /** The subject's soft RLIMIT_MEMLOCK in bytes (Infinity when unlimited). */
  memlockBytes: number;
  /** DAMON_RECLAIM (proactive reclaim): enabled, and how long memory must be idle. */
  damonReclaim: { enabled: boolean; minAgeUs: number } | null;
  /**
   * What O_DIRECT on /tmp meets: the filesystem type and the disk's logical
   * block size (`ext4/512`), from /proc/self/mountinfo and sysfs; "" when
   * unknown. Absent: not probed.
   */
  tmpDio?: string;
}

/** A kind of cases not compared on this host, and why. */
export interface SkipRule {
  /** Matches the text of a case that depends on the setting. */
  test: RegExp;
  reason: string;
}

/** How a run adapts to the host. */
export interface Adaptation {
  /** mmlab's machine: policies, sysctls and privilege matching the host. */
  config: Pick<MachineConfig, "policies" | "sysctl" | "root" | "preset">;
  /** RLIMIT_MEMLOCK (bytes) for mmlab's first process, when the host's differs. */
  memlock?: number;
  /** Requests (mmhost protocol) the host's first subject runs before a case. */
  setup: string[];
  /** Host facts as the adapted subject sees them (for `# requires:`). */
  facts: Record<string, string>;
  /** One phrase per difference adapted to (knob or setup). */
  adapted: string[];
  /** Cases skipped here. */
  skips: SkipRule[];
  /** Differences that need nothing (they cannot change a case's result), and why. */
  notes: string[];
}

/** x86-64 syscall numbers of the probe's requests. */
const NR_MMAP = 9, NR_PRCTL = 157;
const PR_SET_THP_DISABLE = 41, PR_THP_DISABLE_EXCEPT_ADVISED = 2, PR_GET_MEMORY_MERGE = 68;
const PR_SET_MEMORY_MERGE = 67;
const MAP_PRIVATE = 0x02, MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
/** Where the probe's page goes: the window's lowest page. */
const PROBE_ADDR = WINDOW_LO;
/** The mTHP sizes this project's cases assume: only the PMD size, following the top level. */
const PMD_KB = "2048";
/** The kernel mmlab models (its default preset, linux-6.18). */
const REFERENCE = [6, 18] as const;
/** What mmlab assumes of the host. */
export const ASSUMED = {
  root: true,
  memlockBytes: 8 << 20,
  maxMapCount: 65530,
  mmapMinAddr: 4096,
  overcommitMemory: 0,
  overcommitRatio: 50,
} as const;

const hex = (n: number) => n.toString(16);

/** The request for a raw syscall with six arguments. */
function sysReq(nr: number, ...args: number[]): string {
  const a = [...args, 0, 0, 0, 0, 0, 0].slice(0, 6).map((x) =>
    x < 0 ? BigInt.asUintN(64, BigInt(x)).toString(16) : hex(x)
  );
  return `sys ${hex(nr)} ${a.join(" ")}`;
}

/** prctl(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED): THP only where advised. */
export const THP_EXCEPT_ADVISED_REQ = sysReq(NR_PRCTL, PR_SET_THP_DISABLE, 1, 2);
/** prctl(PR_SET_THP_DISABLE, 1): no THP at all. */
export const THP_DISABLE_REQ = sysReq(NR_PRCTL, PR_SET_THP_DISABLE, 1);
/** prctl(PR_SET_MEMORY_MERGE, 0): KSM only where MADV_MERGEABLE asks. */
export const MERGE_OFF_REQ = sysReq(NR_PRCTL, PR_SET_MEMORY_MERGE, 0);

/** A file's text as the host process reads it, or null (Deno needs --allow-all for /proc). */
export async function readText(server: HostServer, path: string): Promise<string | null> {
  const r = (await server.call(1, `readfile ${encodeBytes(new TextEncoder().encode(path))}`))[0];
  const [, n, data] = r?.split(" ") ?? [];
  if (n === undefined || n.startsWith("f")) return null; // -errno
  return new TextDecoder().decode(decodeBytes(data ?? "-")).trim();
}

/** The bracketed choice of a sysfs mode file. */
export function bracketed(text: string | null): string {
  return /\[([\w+]+)\]/.exec(text ?? "")?.[1] ?? "none";
}

/**
 * The filesystem /tmp is on and its disk's logical block size, as
 * `ext4/512` (tmpfs: `tmpfs/0`); "" when it cannot be told.
 */
async function tmpDio(read: (path: string) => Promise<string | null>): Promise<string> {
  const info = await read("/proc/self/mountinfo") ?? "";
  let best: { point: string; type: string; dev: string } | null = null;
  for (const line of info.split("\n")) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS
    const f = line.split(" ");
    const dash = f.indexOf("-");
    if (f.length < 5 || dash < 0) continue;
    const point = f[4];
    const under = point === "/" || "/tmp" === point || "/tmp".startsWith(point + "/");
    if (under && (best === null || point.length >= best.point.length)) {
      best = { point, type: f[dash + 1] ?? "", dev: f[2] };
    }
  }
  if (best === null) return "";
  if (best.type === "tmpfs") return "tmpfs/0";
  const lbs = await read(`/sys/dev/block/${best.dev}/queue/logical_block_size`) ??
    await read(`/sys/dev/block/${best.dev}/../queue/logical_block_size`) ?? "";
  return `${best.type}/${lbs}`;
}

/** The result of a `sys` request. */
async function sys(server: HostServer, req: string): Promise<bigint> {
  const l = (await server.call(1, req))[0] ?? "";
  if (!l.startsWith("= ")) throw new Error(`host probe: ${req} answered ${l}`);
  return parseS64(l.slice(2).split(" ")[0]);
}

/**
 * Probes the host through `server`'s first subject, which it leaves
 * changed (a mapping, THP disabled): give it a server of its own.
 */
export async function probeHost(server: HostServer): Promise<HostProbe> {
  const read = (path: string) => readText(server, path);
  const num = async (path: string, dflt: number) => {
    const t = await read(path);
    return t === null || t === "" ? dflt : Number(t);
  };
  // A read fault on one page of private anonymous memory, then its Rss. The
  // page is a VMA of its own (fixed, at the window's start, where a fresh
  // subject maps nothing): a NULL hint could merge it with a neighbour.
  const want = PROBE_ADDR;
  const flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
  const addr = Number(await sys(server, sysReq(NR_MMAP, want, 4096, 3, flags, -1, 0)));
  if (addr !== want) throw new Error(`host probe: mmap at ${hex(want)} gave ${addr}`);
  const cpu = (await server.call(1, `cpu r ${hex(addr)} 1`))[0] ?? "";
  if (!cpu.startsWith("ok ")) throw new Error(`host probe: reading the page gave ${cpu}`);
  const smaps = await server.call(1, `smaps ${hex(addr)} ${hex(addr + 4096)}`);
  const rss = smaps.map((l) => /^l Rss:\s+(\d+) kB/.exec(l)).find((m) => m !== null);
  const size = smaps.map((l) => /^l Size:\s+(\d+) kB/.exec(l)).find((m) => m !== null);
  if (!rss || size?.[1] !== "4") {
    throw new Error(`host probe: not one 4 kB VMA in smaps:\n${smaps.join("\n")}`);
  }

  const thpDir = "/sys/kernel/mm/transparent_hugepage";
  const thpSizes: Record<string, string> = {};
  for (const kb of [8, 16, 32, 64, 128, 256, 512, 1024, 2048]) {
    const mode = await read(`${thpDir}/hugepages-${kb}kB/enabled`);
    if (mode !== null) thpSizes[String(kb)] = bracketed(mode);
  }
  const mergeAny = await sys(server, sysReq(NR_PRCTL, PR_GET_MEMORY_MERGE)) === 1n;
  const exceptAdvised = await sys(
    server,
    sysReq(NR_PRCTL, PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED),
  ) === 0n;
  const damon = await read("/sys/module/damon_reclaim/parameters/enabled");
  const limits = await read("/proc/self/limits") ?? "";
  const memlock = /^Max locked memory\s+(\S+)/m.exec(limits)?.[1];
  return {
    kernel: await read("/proc/sys/kernel/osrelease") ?? "",
    readFaultRssKb: Number(rss[1]),
    thp: bracketed(await read(`${thpDir}/enabled`)),
    thpSizes,
    thpExceptAdvised: exceptAdvised,
    shmemThp: bracketed(await read(`${thpDir}/shmem_enabled`)),
    mergeAny,
    ksmRun: await read("/sys/kernel/mm/ksm/run") ?? "",
    swap: ((await read("/proc/swaps")) ?? "").split("\n").length > 1,
    maxMapCount: await num("/proc/sys/vm/max_map_count", ASSUMED.maxMapCount),
    mmapMinAddr: await num("/proc/sys/vm/mmap_min_addr", ASSUMED.mmapMinAddr),
    overcommitMemory: await num("/proc/sys/vm/overcommit_memory", ASSUMED.overcommitMemory),
    overcommitRatio: await num("/proc/sys/vm/overcommit_ratio", ASSUMED.overcommitRatio),
    root: /^Uid:\s+\d+\s+0\s/m.test(await read("/proc/self/status") ?? ""),
    memlockBytes: memlock === undefined
      ? ASSUMED.memlockBytes
      : memlock === "unlimited"
      ? Infinity
      : Number(memlock),
    memTotalKb: Number(/^MemTotal:\s+(\d+)/m.exec(await read("/proc/meminfo") ?? "")?.[1] ?? 0),
    tmpDio: await tmpDio(read),
    damonReclaim: damon === null ? null : {
      enabled: damon === "Y",
      minAgeUs: await num("/sys/module/damon_reclaim/parameters/min_age", 0),
    },
  };
}

/** The mTHP sizes below the PMD size that anonymous faults may use, with their modes. */
function smallThpSizes(p: HostProbe): string[] {
  const out: string[] = [];
  for (const [kb, mode0] of Object.entries(p.thpSizes)) {
    if (kb === PMD_KB) continue;
    const mode = mode0 === "inherit" ? p.thp : mode0;
    if (mode === "always" || mode === "madvise") out.push(`${kb}kB=${mode0}`);
  }
  return out;
}

/**
 * The adaptation to a probed host. Pure: the same probe gives the same
 * answer on every machine (tests feed it made-up probes).
 */
export function decide(p: HostProbe): Adaptation {
  const a: Adaptation = {
    config: { policies: {}, sysctl: {} },
    setup: [],
    facts: {},
    adapted: [],
    skips: [],
    notes: [],
  };
  // The kernel release: an older one is compared with mmlab's era preset
  // for it (each policy knob as of that release); a newer one, as 6.18.
  const release = /^(\d+)\.(\d+)/.exec(p.kernel);
  if (release !== null) {
    const [maj, min] = [Number(release[1]), Number(release[2])];
    const version = `${maj}.${min}`;
    if (maj * 1000 + min < REFERENCE[0] * 1000 + REFERENCE[1]) {
      a.config.preset = `linux-${version}`;
      a.adapted.push(`kernel ${version} (mmlab runs preset linux-${version})`);
    } else if (maj * 1000 + min > REFERENCE[0] * 1000 + REFERENCE[1]) {
      a.notes.push(
        `kernel ${version} is newer than mmlab's reference ${REFERENCE.join(".")}: ` +
          "a difference may be a kernel change",
      );
    }
  }

  // The zero page: a read fault that counts in Rss allocated a page.
  if (p.readFaultRssKb > 0) {
    a.config.policies!["mm.zeroPage"] = "forbid";
    a.adapted.push("no zero page on read faults (mm.zeroPage=forbid)");
  }

  // THP: mmlab maps no huge pages; the cases assume `madvise` (huge pages
  // only in MADV_HUGEPAGE regions, which the cases keep small or declare).
  const small = smallThpSizes(p);
  const everywhere = p.thp === "always" ||
    Object.entries(p.thpSizes).some(([kb, m]) => kb !== PMD_KB && m === "always");
  if (everywhere) {
    if (p.thpExceptAdvised) {
      a.setup.push(THP_EXCEPT_ADVISED_REQ);
      a.facts.thp = "madvise";
      a.adapted.push(
        `THP ${p.thp === "always" ? "always" : "mTHP always"} (the host subject runs with ` +
          "prctl(PR_SET_THP_DISABLE, 1, PR_THP_DISABLE_EXCEPT_ADVISED): huge pages only where advised)",
      );
    } else {
      a.setup.push(THP_DISABLE_REQ);
      a.facts.thp = "never";
      a.adapted.push(
        "THP always on a kernel without PR_THP_DISABLE_EXCEPT_ADVISED (the host subject runs " +
          "with prctl(PR_SET_THP_DISABLE, 1): no huge pages; cases requiring thp=madvise skip)",
      );
    }
  }
  if (small.length > 0 && a.facts.thp !== "never") {
    a.skips.push({
      test: /MADV_HUGEPAGE/,
      reason: `mTHP sizes ${small.join(", ")} are enabled: a MADV_HUGEPAGE region may fault ` +
        "in large folios, which mmlab does not model",
    });
  }
  if (p.shmemThp === "always" || p.shmemThp === "within_size" || p.shmemThp === "force") {
    a.skips.push({
      test: /MAP_SHARED\|MAP_ANONYMOUS|MAP_ANONYMOUS\|MAP_SHARED/,
      reason: `shmem THP is ${p.shmemThp}: shared anonymous memory may be mapped huge`,
    });
  } else if (p.shmemThp === "advise") {
    a.skips.push({
      test: /^(?=[\s\S]*MAP_SHARED)(?=[\s\S]*MADV_HUGEPAGE)/,
      reason: "shmem THP is advise: shared memory under MADV_HUGEPAGE may be mapped huge",
    });
  }

  // O_DIRECT: mmlab's /tmp is ext4 on a disk with 512-byte logical blocks
  // (lib/fs/direct_io.ts); elsewhere (tmpfs takes any alignment, a 4Kn
  // disk refuses 512-byte I/O) the O_DIRECT cases do not apply.
  if (p.tmpDio !== undefined && p.tmpDio !== "ext4/512") {
    a.skips.push({
      test: /O_DIRECT/,
      reason: `/tmp is ${p.tmpDio || "on an unknown filesystem"}, not ext4 on a disk with ` +
        "512-byte logical blocks as mmlab's: O_DIRECT alignment rules differ",
    });
  }

  // KSM: a process that inherited PR_SET_MEMORY_MERGE has every VMA mergeable (`mg`).
  if (p.mergeAny) {
    a.setup.push(MERGE_OFF_REQ);
    a.adapted.push(
      "KSM merges every VMA of new processes (the host subject runs with " +
        "prctl(PR_SET_MEMORY_MERGE, 0))",
    );
  }
  if (p.ksmRun === "1") {
    a.skips.push({
      test: /MADV_MERGEABLE|PR_SET_MEMORY_MERGE/,
      reason: "ksmd is running (/sys/kernel/mm/ksm/run = 1): it may merge pages during the case",
    });
  }

  // Swap: mmlab has no swap device, so reclaim never takes an anonymous page.
  if (p.swap) {
    a.skips.push({
      test: /MADV_PAGEOUT/,
      reason: "swap is active: MADV_PAGEOUT swaps anonymous pages out, mmlab has no swap device",
    });
  }

  // Privilege: without root the subject lacks CAP_IPC_LOCK and CAP_SYS_RAWIO
  // (mlock limits, mmap_min_addr); so does mmlab's process with root: false.
  if (!p.root) {
    a.config.root = false;
    a.adapted.push("not root (mmlab's process runs unprivileged: root: false)");
  }
  if (p.memlockBytes !== ASSUMED.memlockBytes) {
    a.memlock = p.memlockBytes;
    const text = p.memlockBytes === Infinity ? "unlimited" : `${p.memlockBytes}`;
    a.adapted.push(`RLIMIT_MEMLOCK=${text}`);
  }

  // The vm sysctls: mmlab's machine takes the host's values.
  const sysctl = a.config.sysctl!;
  if (p.maxMapCount !== ASSUMED.maxMapCount) {
    sysctl.maxMapCount = p.maxMapCount;
    a.adapted.push(`vm.max_map_count=${p.maxMapCount}`);
  }
  if (p.mmapMinAddr !== ASSUMED.mmapMinAddr) {
    sysctl.mmapMinAddr = p.mmapMinAddr;
    a.adapted.push(`vm.mmap_min_addr=${p.mmapMinAddr}`);
  }
  if (p.overcommitMemory !== ASSUMED.overcommitMemory) {
    sysctl.overcommitMemory = p.overcommitMemory as 0 | 1 | 2;
    a.adapted.push(`vm.overcommit_memory=${p.overcommitMemory}`);
  }
  if (p.overcommitRatio !== ASSUMED.overcommitRatio) {
    sysctl.overcommitRatio = p.overcommitRatio;
    a.adapted.push(`vm.overcommit_ratio=${p.overcommitRatio}`);
  }
  if (p.overcommitMemory === 2) {
    // CommitLimit is a share of RAM (+ swap): mmlab's RAM is not the host's.
    // Small mappings stay far below both limits; sizes of 100 MiB and more may not.
    a.skips.push({
      test: /\b\d+[GT]\b|\b\d{3,}M\b/,
      reason: "vm.overcommit_memory=2: the commit limit is a share of the host's RAM, " +
        "not of the emulated machine's, and the case maps 100M or more",
    });
  }

  // Proactive reclaim takes only memory idle for min_age; a case runs for well under a second.
  if (p.damonReclaim?.enabled) {
    if (p.damonReclaim.minAgeUs >= 1_000_000) {
      a.notes.push(
        `DAMON_RECLAIM is on but reclaims only memory idle for ${
          p.damonReclaim.minAgeUs / 1e6
        } s or more, longer than a case runs`,
      );
    } else {
      a.skips.push({
        test: /\b(smaps|mincore)\b/,
        reason: "DAMON_RECLAIM reclaims memory idle for under a second: Rss and residency " +
          "may change during the case",
      });
    }
  }
  return a;
}

/** The skip reason of a case on this host, or null. */
export function skipReason(a: Adaptation, text: string): string | null {
  const body = text.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
  for (const s of a.skips) if (s.test.test(body)) return s.reason;
  return null;
}

/** The run summary's phrase: what was adapted to, and what skips cases. */
export function describeAdaptation(a: Adaptation): string {
  const parts = [...a.adapted];
  for (const s of a.skips) parts.push(`skips cases: ${s.reason}`);
  return parts.length === 0
    ? "host adaptations: none (the host behaves as mmlab's machine)"
    : `host adaptations: ${parts.join("; ")}`;
}
