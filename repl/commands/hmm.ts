/**
 * HMM and peer-to-peer from the command line: interval notifiers a person
 * can subscribe and watch (`mmu_interval_notifier_insert`, `notifiers`),
 * `hmm_range_fault` as a mirroring device's driver calls it (the
 * read_begin / fault / read_retry protocol, each try and each page's
 * flags shown), the 2019 RFC's trial call, and the PCI p2p distance
 * (`p2pdma`). The emulated machine only: a host kernel exposes none of
 * this to user space.
 * @module
 */

import {
  calcMapTypeAndDist,
  DeviceMirror,
  errnoName,
  findNotifierSubscriptions,
  HMM_PFN_REQ_FAULT,
  hmmMirrorIsMaybeSupported,
  hmmPfnFlagNames,
  hmmPfnToPfn,
  hmmReqFlagNames,
  type Machine,
  mapTypeName,
  mirrorOf,
  type Mm,
  mmuIntervalNotifierRemove,
  PCI_ACS_CR,
  PCI_ACS_RR,
  type PciDev,
  strerror,
} from "../../mod.ts";
import { ReplError } from "../errors.ts";
import { hex } from "../format.ts";
import type { Command, CommandContext, Value } from "./types.ts";
import { byteCount } from "./args.ts";
import { actionRecord, callRecord, valueData, viewRecord } from "../json_result.ts";
import { JSON_FLAG, jsonFlag, printJson } from "./views.ts";

const num = (v: Value | undefined): bigint => (v?.type === "num" ? v.v : 0n);
const MAP_LINE = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";
/** The owner name of a process's dmirror-like device (lib/test_hmm.c). */
const DMIRROR = "hmm_dmirror";
/** The top of user space: the dmirror device subscribes [0, TASK_SIZE). */
const TASK_SIZE = 0x7ffffffff000;
const MAX_PAGES = 4096;

/** `= 0` or `= -14 EFAULT (Bad address)`: a kernel function's int. */
function kret(r: number): string {
  return r < 0 ? `= ${r} ${errnoName(-r)} (${strerror(-r)})` : `= ${r}`;
}

function pageStart(v: Value): number {
  return Number(BigInt.asUintN(64, num(v)) & ~0xfffn);
}

/** The RDMA NIC (the first mlx5_core PF), the importer the RFC's p2p_map is asked about. */
function importer(m: Machine): PciDev | undefined {
  return m.pci.present().find((d) => d.driver?.name === "mlx5_core" && d.physfn === null);
}

/** The process's dmirror device, subscribed over all of user space on first use. */
function dmirror(mm: Mm): DeviceMirror {
  const subs = findNotifierSubscriptions(mm);
  const found = subs?.itree.find((s) => s.owner === DMIRROR);
  const mir = found !== undefined ? mirrorOf(found) : null;
  if (mir !== null) return mir;
  return DeviceMirror.create(mm, 0, TASK_SIZE, DMIRROR) as DeviceMirror;
}

const insert: Command = {
  name: "mmu_interval_notifier_insert",
  form: "call",
  group: "memory",
  args: [
    { name: "start", accepts: "num", kind: "addr", text: "the first address watched" },
    { name: "length", accepts: "num", kind: "len", text: "how many bytes" },
  ],
  summary: "subscribe an interval notifier over a range (mm/mmu_notifier.c), to watch it",
  help: [
    "mmu_interval_notifier_insert(): a subscription over [start, start+length) whose",
    "invalidate callback records what reached it and calls mmu_interval_set_seq(), as",
    "a driver's does. Prints its id; `notifiers` shows the mm's invalidate_seq (2 at",
    "first, odd only while an invalidation overlapping a subscription runs) and each",
    "subscription's sequence (the global value - 1 at insert, then the odd cur_seq",
    "of the last invalidation that hit it). EOVERFLOW for a zero or wrapping length.",
  ].join("\n"),
  example: [MAP_LINE, "mmu_interval_notifier_insert(a, 16K)", "munmap(a + 4K, 4K)", "notifiers"],
  needsProcess: true,
  run(ctx: CommandContext, [start, length]) {
    const mm = ctx.proc.mm;
    const len = Number(BigInt.asUintN(64, num(length)));
    const r = DeviceMirror.create(mm, Number(BigInt.asUintN(64, num(start))), len, "repl");
    const args = [start, length].map(valueData);
    if (typeof r === "number") {
      ctx.record?.(callRecord("mmu_interval_notifier_insert", args, r, -r));
      ctx.out.push(kret(r));
      return BigInt(r);
    }
    const subs = findNotifierSubscriptions(mm)!;
    ctx.record?.(callRecord("mmu_interval_notifier_insert", args, r.sub.id, null, {
      id: r.sub.id,
      seq: r.sub.invalidateSeq,
      invalidateSeq: subs.invalidateSeq,
    }));
    ctx.out.push(`= ${r.sub.id}`);
    ctx.out.push(
      `(subscription seq ${r.sub.invalidateSeq}, mm invalidate_seq ${subs.invalidateSeq})`,
    );
    return BigInt(r.sub.id);
  },
};

const remove: Command = {
  name: "mmu_interval_notifier_remove",
  form: "call",
  group: "memory",
  args: [{ name: "id", accepts: "num", text: "a subscription id (notifiers lists them)" }],
  summary: "remove an interval notifier subscription",
  help: "mmu_interval_notifier_remove(): the subscription leaves the mm's interval tree.",
  example: [
    MAP_LINE,
    "n = mmu_interval_notifier_insert(a, 16K)",
    "mmu_interval_notifier_remove(n)",
  ],
  needsProcess: true,
  run(ctx, [id]) {
    const subs = findNotifierSubscriptions(ctx.proc.mm);
    const sub = subs?.itree.find((s) => BigInt(s.id) === num(id));
    if (sub === undefined) {
      throw new ReplError(`no subscription ${num(id)}`, id.col, "notifiers lists them", "name");
    }
    mirrorOf(sub)?.destroy() ?? mmuIntervalNotifierRemove(sub);
    ctx.record?.(callRecord("mmu_interval_notifier_remove", [valueData(id)], 0, null));
    ctx.out.push("= 0");
    return 0n;
  },
};

/**
 * The mm's notifier subscriptions as data (null without any): the
 * sequence counts, each subscription with its newest invalidations and,
 * for a mirroring device, its whole device page table.
 */
function notifierData(subs: ReturnType<typeof findNotifierSubscriptions>): unknown {
  if (subs === null) return null;
  return {
    invalidateSeq: subs.invalidateSeq,
    activeInvalidateRanges: subs.activeInvalidateRanges,
    subscriptions: subs.itree.map((s) => {
      const mir = mirrorOf(s);
      return {
        id: s.id,
        owner: s.owner,
        start: s.start,
        end: s.last + 1,
        seq: s.invalidateSeq,
        invalidations: s.invalidations,
        log: mir === null ? [] : mir.log.map((e) => ({ ...e })),
        devicePageTable: mir === null ? null : [...mir.devicePageTable]
          .sort((a, b) => a[0] - b[0])
          .map(([iova, e]) => ({ iova, pfn: e.pfn, write: e.write, p2p: e.p2p })),
      };
    }),
  };
}

const notifiers: Command = {
  name: "notifiers",
  form: "word",
  group: "view",
  args: [],
  summary: "the mm's interval notifiers: sequence counts, invalidations, device page tables",
  help: [
    "mm->notifier_subscriptions of the process: invalidate_seq and",
    "active_invalidate_ranges, then each subscription (id, owner, range, its own",
    "sequence, how many invalidations hit it), the newest invalidations each saw",
    "(event, range, cur_seq, device PTEs dropped), and the device page table of",
    "mirroring devices (iova -> pfn): the REPL's hmm_dmirror and RDMA ODP MRs.",
  ].join("\n"),
  example: [MAP_LINE, "mmu_interval_notifier_insert(a, 16K)", "notifiers"],
  flags: [JSON_FLAG],
  needsProcess: true,
  run(ctx, values) {
    const subs = findNotifierSubscriptions(ctx.proc.mm);
    const data = notifierData(subs);
    ctx.record?.(viewRecord("notifiers", data));
    if (jsonFlag(values).json) {
      printJson(ctx, data);
      return undefined;
    }
    if (subs === null) {
      ctx.out.push("no interval notifiers (mm->notifier_subscriptions is NULL)");
      return undefined;
    }
    ctx.out.push(
      `invalidate_seq ${subs.invalidateSeq}, active_invalidate_ranges ${subs.activeInvalidateRanges}`,
    );
    ctx.out.push(
      "ID  OWNER            START           END             SEQ  INVALIDATIONS  DEVICE PTES",
    );
    for (const s of subs.itree) {
      const mir = mirrorOf(s);
      ctx.out.push(
        `${String(s.id).padEnd(3)} ${s.owner.padEnd(16)} ${hex(s.start).padEnd(15)} ` +
          `${hex(s.last + 1).padEnd(15)} ${String(s.invalidateSeq).padEnd(4)} ` +
          `${String(s.invalidations).padEnd(14)} ${mir?.devicePageTable.size ?? "-"}`,
      );
    }
    for (const s of subs.itree) {
      const mir = mirrorOf(s);
      if (mir === null) continue;
      for (const e of mir.log.slice(-4)) {
        ctx.out.push(
          `  ${s.id}: ${e.event} [${hex(e.start)}, ${hex(e.end)}) cur_seq ${e.curSeq}, ` +
            `${e.dropped} device PTE${e.dropped === 1 ? "" : "s"} dropped`,
        );
      }
      const pt = [...mir.devicePageTable].sort((a, b) => a[0] - b[0]);
      for (const [iova, e] of pt.slice(0, 32)) {
        ctx.out.push(
          `  ${s.id}: iova ${hex(iova)} -> ${e.p2p ? "bus " : ""}pfn ${hex(e.pfn)} ${
            e.write ? "rw" : "ro"
          }`,
        );
      }
      if (pt.length > 32) ctx.out.push(`  ${s.id}: ... ${pt.length - 32} more`);
    }
    return undefined;
  },
};

const rangeFault: Command = {
  name: "hmm_range_fault",
  form: "call",
  group: "memory",
  args: [
    { name: "start", accepts: "num", kind: "addr", text: "the first address (rounded down)" },
    { name: "npages", accepts: "num", text: "how many pages" },
    {
      name: "default_flags",
      accepts: "num",
      optional: true,
      text: "HMM_PFN_REQ_FAULT[|HMM_PFN_REQ_WRITE], or 0 to only look (default REQ_FAULT)",
    },
  ],
  summary: "mirror a range into a device as HMM drivers do (mm/hmm.c hmm_range_fault)",
  help: [
    "A dmirror-like device (lib/test_hmm.c) of this process, subscribed over all of",
    "user space, faults [start, +npages) in: mmu_interval_read_begin(), then",
    "hmm_range_fault() under the mmap read lock; -EBUSY (the sequence moved, e.g.",
    "after its own COW fault) starts over for up to HMM_RANGE_DEFAULT_TIMEOUT (1 s);",
    "then mmu_interval_read_retry() and the device PTEs are written (`notifiers`).",
    "Each try is printed, then each page: pfn and HMM_PFN_VALID / HMM_PFN_WRITE /",
    "HMM_PFN_ERROR. Returns 0, -EFAULT (hole, no VM_READ, VM_IO|VM_PFNMAP, the",
    "fault failed), -EPERM (REQ_WRITE on a VMA without VM_WRITE) or -EBUSY. Without",
    "REQ_FAULT nothing faults: missing pages read 0, special or unreadable ones",
    "HMM_PFN_ERROR. Under hmm.p2pMap=rfc-2019 a special VMA's exporter is asked",
    "(p2p_map) for the RDMA NIC's bus addresses.",
  ].join("\n"),
  example: [MAP_LINE, "poke(a, 1)", "hmm_range_fault(a, 2, HMM_PFN_REQ_FAULT|HMM_PFN_REQ_WRITE)"],
  needsProcess: true,
  run(ctx, [start, npagesArg, flagsArg]) {
    const n = byteCount(npagesArg, "npages", MAX_PAGES);
    if (n === 0) {
      throw new ReplError("npages must be at least 1", npagesArg.col, undefined, "usage");
    }
    const flags = flagsArg === undefined ? HMM_PFN_REQ_FAULT : BigInt.asUintN(64, num(flagsArg));
    const addr = pageStart(start);
    if (addr + n * 4096 > TASK_SIZE) {
      throw new ReplError("the range must lie in user space", start.col, undefined, "usage");
    }
    const mir = dmirror(ctx.proc.mm);
    const f = mir.faultFlags(addr, n, flags, importer(ctx.machine));
    for (const t of f.tries) {
      ctx.out.push(`mmu_interval_read_begin() = ${t.seq}`);
      ctx.out.push(
        `hmm_range_fault({start=${hex(addr)}, end=${hex(addr + n * 4096)}, ` +
          `default_flags=${hmmReqFlagNames(flags)}, notifier_seq=${t.seq}}) ${kret(t.ret)}`,
      );
      if (t.stale) ctx.out.push("mmu_interval_read_retry() = true: start over");
    }
    if (f.ret === 0) {
      ctx.out.push("ADDRESS          PFN          FLAGS");
      for (let i = 0; i < n; i++) {
        const slot = f.range.hmmPfns[i];
        const pfn = slot & ~(0xffn << 56n);
        const p2p = f.range.p2p?.[i] ? " (bus address, p2p_map)" : "";
        ctx.out.push(
          `${hex(addr + i * 4096).padEnd(16)} ${
            (pfn === 0n ? "-" : hex(hmmPfnToPfn(slot))).padEnd(12)
          } ` +
            `${hmmPfnFlagNames(slot)}${p2p}`,
        );
      }
    }
    ctx.record?.(callRecord(
      "hmm_range_fault",
      [addr, n, flags],
      f.ret,
      f.ret < 0 ? -f.ret : null,
      {
        tries: f.tries.map((t) => ({ seq: t.seq, ret: t.ret, stale: t.stale })),
        slots: f.ret !== 0 ? [] : [...f.range.hmmPfns.slice(0, n)].map((slot, i) => ({
          addr: addr + i * 4096,
          pfn: (slot & ~(0xffn << 56n)) === 0n ? null : hmmPfnToPfn(slot),
          flags: hmmPfnFlagNames(slot) === "0" ? [] : hmmPfnFlagNames(slot).split("|"),
          p2p: f.range.p2p?.[i] ?? false,
        })),
      },
    ));
    ctx.out.push(kret(f.ret));
    return BigInt(f.ret);
  },
};

const trial: Command = {
  name: "hmm_mirror_is_maybe_supported",
  form: "call",
  group: "memory",
  args: [
    { name: "start", accepts: "num", kind: "addr", text: "the first address" },
    { name: "len", accepts: "num", kind: "len", text: "how many bytes" },
  ],
  summary: "the 2019 thread's trial call: could this range be mirrored? (RFC, never merged)",
  help: [
    "Jason Gunthorpe's 'trial' interface from the seed 003 thread (Jan 2019), only",
    "under policy hmm.p2pMap=rfc-2019: VMA by VMA, without faulting, why mirroring",
    "for the RDMA NIC would fail: a hole or an unreadable VMA -EFAULT, a special VMA",
    "without p2p_map -EOPNOTSUPP, one whose exporter refuses the NIC (p2p distance)",
    "the exporter's errno (-EREMOTEIO). Returns the first failure or 0.",
  ].join("\n"),
  example: [
    "policy hmm.p2pMap rfc-2019",
    MAP_LINE,
    "hmm_mirror_is_maybe_supported(a, 16K)",
  ],
  needsProcess: true,
  run(ctx, [start, len]) {
    if (ctx.machine.policy("hmm.p2pMap") !== "rfc-2019") {
      throw new ReplError(
        "hmm_mirror_is_maybe_supported exists only in the 2019 RFC",
        start.col,
        "policy hmm.p2pMap rfc-2019 (it was never merged)",
        "name",
      );
    }
    const a = Number(BigInt.asUintN(64, num(start)));
    const l = Number(BigInt.asUintN(64, num(len)));
    const r = hmmMirrorIsMaybeSupported(ctx.proc.mm, importer(ctx.machine), a, l);
    ctx.record?.(
      callRecord("hmm_mirror_is_maybe_supported", [a, l], r.ret, r.ret < 0 ? -r.ret : null, {
        verdicts: r.verdicts.map((v) => ({
          start: v.start,
          end: v.end,
          why: v.why,
          errno: v.err ? errnoName(-v.err) : null,
        })),
      }),
    );
    for (const v of r.verdicts) {
      ctx.out.push(
        `[${hex(v.start)}, ${hex(v.end)}) ${v.why}${v.err ? ": " + kret(v.err).slice(2) : ""}`,
      );
    }
    ctx.out.push(kret(r.ret));
    return BigInt(r.ret);
  },
};

/** The function at BDF, or a ReplError naming the column. */
function deviceAt(ctx: CommandContext, v: Value | undefined, what: string): PciDev {
  const text = v?.type === "word" ? v.text : "";
  const d = text === "" ? undefined : ctx.machine.pci.find(text);
  if (d === undefined) {
    throw new ReplError(
      text === "" ? `${what} is missing` : `no PCI function ${text}`,
      v?.col,
      "lspci lists them (BUS:DEV.FN)",
      "name",
    );
  }
  return d;
}

const p2pdma: Command = {
  name: "p2pdma",
  form: "word",
  group: "device",
  args: [
    { name: "distance|acs", accepts: "word", text: "what to do" },
    {
      name: "ARGS",
      accepts: "word",
      variadic: true,
      optional: true,
      text: "distance CLIENT PROVIDER, or acs BRIDGE on|off",
    },
  ],
  summary: "PCI peer-to-peer: map type and distance, ACS redirect (drivers/pci/p2pdma.c)",
  help: [
    "p2pdma distance CLIENT PROVIDER: pci_p2pdma_distance(provider, client, verbose):",
    "calc_map_type_and_dist() computed now, its warnings in dmesg (ACS redirect on the",
    "path, host bridge not whitelisted, no p2p path), the map type stored in the",
    "provider's cache. Prints PCI_P2PDMA_MAP_BUS_ADDR (a common switch routes it),",
    "THRU_HOST_BRIDGE or NOT_SUPPORTED, and the distance (-1 when not supported):",
    "0 one function, 2 two functions of a device, 4 two devices under one switch. The",
    "DMA mapping path (pci_p2pdma_map_type, an RFC p2p_map) reads that cache and",
    "computes, verbosely, only when a client has no entry yet: its warnings appear",
    "once. p2pdma acs BRIDGE on|off sets ACS Request and Completion Redirect on a",
    "port, as firmware or setpci would; cached map types are not recomputed.",
  ].join("\n"),
  example: ["p2pdma distance 03:00.0 04:00.0"],
  needsProcess: false,
  run(ctx, values) {
    const what = values[0]?.type === "word" ? values[0].text : "";
    const m = ctx.machine;
    if (what === "acs") {
      const dev = deviceAt(ctx, values[1], "BRIDGE");
      const onoff = values[2]?.type === "word" ? values[2].text : "";
      if (onoff !== "on" && onoff !== "off") {
        throw new ReplError(
          "acs takes on or off",
          values[2]?.col ?? values[1].col,
          undefined,
          "usage",
        );
      }
      if (onoff === "on") m.p2pdma.acsCtrl.set(dev, PCI_ACS_RR | PCI_ACS_CR);
      else m.p2pdma.acsCtrl.set(dev, 0);
      ctx.record?.(
        actionRecord("p2pdma", { op: "acs", bridge: dev.bdf, redirect: onoff === "on" }),
      );
      ctx.out.push(`${dev.bdf}: ACS Control ${onoff === "on" ? "RR+ CR+" : "RR- CR-"}`);
      return undefined;
    }
    if (what !== "distance") {
      throw new ReplError(
        `p2pdma ${what}: use distance or acs`,
        values[0]?.col,
        undefined,
        "usage",
      );
    }
    const client = deviceAt(ctx, values[1], "CLIENT");
    const provider = deviceAt(ctx, values[2], "PROVIDER");
    // pci_p2pdma_distance_many(provider, &client, 1, true)
    const path = calcMapTypeAndDist(m.p2pdma, provider, client, true);
    const dist = path.type === "NOT_SUPPORTED" ? -1 : path.distance;
    ctx.record?.(actionRecord("p2pdma", {
      op: "distance",
      client: client.bdf,
      provider: provider.bdf,
      mapType: mapTypeName(path.type),
      distance: dist,
      common: path.common?.bdf ?? null,
    }));
    const via = path.common !== null ? `, common upstream bridge ${path.common.bdf}` : "";
    ctx.out.push(`${mapTypeName(path.type)}, distance ${path.distance}${via}`);
    ctx.out.push(`pci_p2pdma_distance() = ${dist}`);
    return BigInt(dist);
  },
};

/** The HMM, notifier and p2p commands. */
export const HMM_COMMANDS: readonly Command[] = [
  insert,
  remove,
  rangeFault,
  trial,
  notifiers,
  p2pdma,
];
