/**
 * Device commands: `lspci` (the PCI functions in lspci's text, or JSON),
 * `device-bind BDF DRIVER` and `device-unbind BDF` (the sysfs writes a
 * person would make, each printed with what it returned), and
 * `inject-fault KIND TARGET` (the hardware side of a fault, then the
 * driver's reaction). Kernel lines go to `dmesg`.
 * @module
 */

import { pushAll } from "../bulk.ts";
import { ReplError } from "../errors.ts";
import {
  DMA_MAX_LEN,
  errnoName,
  FAULT_KINDS,
  filterLspci,
  injectFault,
  IOMMU_READ,
  IOMMU_WRITE,
  lspciEntries,
  parseLspciArgs,
  type PciDev,
  type RemoveBlocked,
  renderLspci,
  renderLspciTree,
  renderLspciTreeState,
  strerror,
} from "../../mod.ts";
import type { Command, CommandContext, Value } from "./types.ts";
import { hexdump } from "../format.ts";
import { rdmaDoorbellLines, rdmaDoorbells } from "./verbs.ts";
import { actionRecord, viewRecord } from "../json_result.ts";
import type { DmaOp, Machine } from "../../mod.ts";

const words = (vals: Value[]) => vals.map((v) => (v.type === "word" ? v.text : ""));

/** Completes a BDF argument: the functions on the bus, as lspci names them. */
const bdfs = (ctx: { machine: Machine }) => ctx.machine.pci.present().map((d) => d.slot);

/** The function at BDF, or a ReplError naming the column. */
function deviceAt(ctx: CommandContext, v: Value): PciDev {
  const text = v.type === "word" ? v.text : "";
  const d = ctx.machine.pci.find(text);
  if (d === undefined) {
    throw new ReplError(
      `no PCI function ${text}`,
      v.col,
      "lspci lists them (BUS:DEV.FN or DOMAIN:BUS:DEV.FN)",
      "name",
    );
  }
  return d;
}

/** `= 12` or `= -1 EBUSY (Device or resource busy)`. */
function ret(r: number, n: number): string {
  return r < 0 ? `= -1 ${errnoName(-r)} (${strerror(-r)})` : `= ${n}`;
}

/** A sysfs write as data: the file, the value, its return (null while it waits), errno. */
interface SysfsWrite {
  path: string;
  value: string;
  ret: number | null;
  errno: string | null;
}

function sysfsWrite(
  ctx: CommandContext,
  path: string,
  value: string,
  r: number,
  writes: SysfsWrite[],
): void {
  writes.push({ path, value, ret: r < 0 ? -1 : value.length, errno: r < 0 ? errnoName(-r) : null });
  ctx.out.push(`write(${path}, "${value}") ${ret(r, value.length)}`);
}

/** device-bind / device-unbind's record: the function, the writes, the driver bound after. */
function bindRecord(ctx: CommandContext, name: string, dev: PciDev, writes: SysfsWrite[]): void {
  ctx.record?.(actionRecord(name, {
    bdf: dev.bdf,
    writes,
    driver: dev.driver?.name ?? null,
    pending: writes.some((w) => w.ret === null),
  }));
}

/**
 * The unbind write of `dev`: done at once, or (the driver's remove waits
 * for userspace) the thread sleeps in D state until the driver says the
 * device is released: `<unfinished ...>`, later `<... write resumed> = N`.
 * Returns whether it finished.
 */
function unbind(ctx: CommandContext, dev: PciDev, writes: SysfsWrite[]): boolean {
  const m = ctx.machine;
  const name = dev.driver!.name;
  const path = `/sys/bus/pci/drivers/${name}/unbind`;
  const r = m.drivers.unbind(dev);
  if ("ret" in r) {
    sysfsWrite(ctx, path, dev.bdf, r.ret, writes);
    return true;
  }
  const b: RemoveBlocked = r.blocked;
  const t = m.task(ctx.pid) ?? ctx.proc.leader;
  let state: "S" | "D" = b.interruptible ? "S" : "D";
  // The call's token: a sleep again after a wake keeps it (the REPL waits on it).
  let token = 0;
  const wait = (again?: number): number =>
    m.sched.sleep(t, b.wq, b.wchan, state, {
      name: "write",
      finish: () => {
        if (!b.ready()) {
          // A signal ended an interruptible wait: the driver says so and
          // waits on uninterruptibly (a D sleep ignores further signals).
          if (t.sigPending !== 0) {
            t.sigPending = 0;
            if (state === "S") {
              state = "D";
              b.interrupted?.(t.group.comm, t.tid);
            }
          }
          wait(token);
          return null;
        }
        m.drivers.finishUnbind(dev, b);
        return { ret: dev.bdf.length };
      },
      cancel: () => {},
    }, again);
  token = wait();
  writes.push({ path, value: dev.bdf, ret: null, errno: null });
  ctx.out.push(
    `write(${path}, "${dev.bdf}") <unfinished ...> (${name} remove waits in ${b.wchan})`,
  );
  ctx.unfinished(token, {
    name: "write",
    line: (c) => `= ${c.ret}`,
    value: (c) => BigInt(c.ret),
  });
  return false;
}

const lspci: Command = {
  name: "lspci",
  form: "word",
  group: "device",
  args: [{
    name: "OPTION",
    accepts: "word",
    optional: true,
    variadic: true,
    text: "-t (tree), -v/-vv (verbose), -n/-nn (IDs), -k (drivers), -x/-xxx/-xxxx (config " +
      "space in hex), -D (domains), -s SLOT",
  }],
  flags: [{ name: "--json", text: "print the functions as JSON data instead of text" }],
  summary: "the PCI functions, as lspci prints them",
  help: "lspci's text: one line a function (class, vendor and device names, revision);\n" +
    "-vv adds the COMMAND register (Control: I/O- Mem+ BusMaster+ ...), BARs with\n" +
    "addresses and sizes, bridges' bus numbers and windows, and the kernel driver in use.\n" +
    "-t draws the bus tree; -t -k (mmlab's own) adds each function's driver and state\n" +
    "([ixgbe], [no driver], frozen, Mem-); -s 03:00.0 selects one function. --json prints\n" +
    "the data.",
  example: ["lspci -t", "device-unbind 06:00.0", "lspci -t -k", "lspci -vv -s 03:00.0"],
  needsProcess: false,
  run(ctx, values) {
    const json = values.some((v) => v.type === "word" && v.text === "--json");
    const args = words(values).filter((w) => w !== "--json" && w !== "");
    const o = parseLspciArgs(args);
    if (typeof o === "string") throw new ReplError(o, values[0]?.col, undefined, "usage");
    const entries = filterLspci(lspciEntries(ctx.machine.pci), o);
    ctx.record?.(viewRecord("lspci", entries));
    if (json) pushAll(ctx.out, JSON.stringify(entries, null, 2).split("\n"));
    else if (o.tree) {
      const tree = o.kernel ? renderLspciTreeState : renderLspciTree;
      pushAll(ctx.out, tree(lspciEntries(ctx.machine.pci), o));
    } else {
      const cfg = (bdf: string) => ctx.machine.pci.find(bdf)?.config;
      pushAll(ctx.out, renderLspci(entries, o, cfg));
    }
    return undefined;
  },
};

const deviceBind: Command = {
  name: "device-bind",
  form: "word",
  group: "device",
  args: [
    {
      name: "BDF",
      accepts: "word",
      text: "the function (03:00.0 or 0000:03:00.0)",
      complete: bdfs,
    },
    {
      name: "DRIVER",
      accepts: "word",
      text: "a registered driver (vfio-pci, mlx5_core, ...)",
      complete: (ctx) => [...ctx.machine.drivers.drivers.keys()],
    },
  ],
  summary: "bind a PCI function to a driver (driver_override, unbind, bind)",
  help: "What `driverctl set-override` does, as sysfs writes, each with its result:\n" +
    "driver_override = DRIVER, unbind from the current driver, then\n" +
    "/sys/bus/pci/drivers/DRIVER/bind. A refusal prints the errno and the kernel's\n" +
    "line goes to dmesg (vfio-pci on a PF with SR-IOV VFs: EBUSY). A remove that waits\n" +
    "for userspace leaves the write <unfinished ...>.",
  example: ["device-bind 05:00.0 vfio-pci", "lspci -k -s 05:00.0"],
  needsProcess: true,
  run(ctx, values) {
    const dev = deviceAt(ctx, values[0]);
    const name = values[1].type === "word" ? values[1].text : "";
    const core = ctx.machine.drivers;
    if (!core.drivers.has(name)) {
      throw new ReplError(
        `no driver ${name}`,
        values[1].col,
        `registered: ${[...core.drivers.keys()].join(", ")}`,
        "name",
      );
    }
    if (dev.isBridge) {
      throw new ReplError(`${dev.bdf} is a bridge (pcieport)`, values[0].col, undefined, "usage");
    }
    dev.driverOverride = name;
    const writes: SysfsWrite[] = [];
    sysfsWrite(ctx, `/sys/bus/pci/devices/${dev.bdf}/driver_override`, name, 0, writes);
    if (dev.driver?.name === name) {
      bindRecord(ctx, "device-bind", dev, writes);
      ctx.out.push(`(${dev.bdf} is already bound to ${name})`);
      return undefined;
    }
    if (dev.driver !== null && !unbind(ctx, dev, writes)) {
      bindRecord(ctx, "device-bind", dev, writes);
      return undefined;
    }
    const r = core.bind(dev, name);
    sysfsWrite(ctx, `/sys/bus/pci/drivers/${name}/bind`, dev.bdf, r, writes);
    bindRecord(ctx, "device-bind", dev, writes);
    return undefined;
  },
};

const deviceUnbind: Command = {
  name: "device-unbind",
  form: "word",
  group: "device",
  args: [{
    name: "BDF",
    accepts: "word",
    text: "the function (03:00.0 or 0000:03:00.0)",
    complete: bdfs,
  }],
  summary: "unbind a PCI function from its driver",
  help: "echo BDF > /sys/bus/pci/drivers/DRIVER/unbind: the driver's remove runs\n" +
    "(and may wait for userspace to release the device: <unfinished ...>).",
  example: ["device-unbind 06:00.0", "lspci -k -s 06:00.0"],
  needsProcess: true,
  run(ctx, values) {
    const dev = deviceAt(ctx, values[0]);
    if (dev.driver === null) {
      throw new ReplError(`${dev.bdf} has no driver bound`, values[0].col, undefined, "usage");
    }
    const writes: SysfsWrite[] = [];
    unbind(ctx, dev, writes);
    bindRecord(ctx, "device-unbind", dev, writes);
    return undefined;
  },
};

const injectFaultCmd: Command = {
  name: "inject-fault",
  form: "word",
  group: "device",
  args: [
    {
      name: "KIND",
      accepts: "word",
      text: FAULT_KINDS.join(", "),
      complete: () => [...FAULT_KINDS],
    },
    {
      name: "TARGET",
      accepts: "word",
      text: "a PCI function (BDF), a pid for oom, a pfn for hwpoison",
      complete: (ctx) => bdfs(ctx),
    },
  ],
  summary: "inject a hardware fault (device loss, AER, MMIO disable, ...)",
  help: "The hardware side first (the function frozen or removed, MEMORY cleared, a VF\n" +
    "replaced), then the bound driver's reaction. fatal, hot-unplug, vf-migrate,\n" +
    "mmio-disable, aer, iommu-fault, dma-error take a BDF; oom takes a pid;\n" +
    "hwpoison takes a page frame number (memory_failure(), config.MEMORY_FAILURE=y).",
  example: ["inject-fault mmio-disable 05:00.0", "lspci -vv -s 05:00.0"],
  needsProcess: false,
  run(ctx, values) {
    const [kind, target] = words(values);
    const logged = ctx.machine.dmesg.lines.length;
    const r = injectFault(ctx.machine, kind, target);
    if ("error" in r) {
      const col = (FAULT_KINDS as readonly string[]).includes(kind) ? values[1].col : values[0].col;
      throw new ReplError(r.error, col, undefined, "usage");
    }
    // The function's state after, when the target is one; the kernel lines the fault logged.
    const dev = ctx.machine.pci.find(target);
    ctx.record?.(actionRecord("inject-fault", {
      fault: kind,
      target,
      device: dev === undefined
        ? null
        : { bdf: dev.bdf, state: dev.state, driver: dev.driver?.name ?? null },
      result: r.ok,
      dmesg: ctx.machine.dmesg.lines.slice(logged).map((l) => ({
        ns: l.ns,
        level: l.level,
        text: l.text,
      })),
    }));
    pushAll(ctx.out, r.ok);
    return undefined;
  },
};

const hx = (n: number) => "0x" + n.toString(16);

/** `#1 write 0x10000 16: ok` (+ `(8 of 16 bytes)` when it stopped part-way). */
function opLine(op: DmaOp, now: number): string {
  const head = `#${op.id} ${op.dir} ${hx(op.addr)} ${op.len}: `;
  if (op.status === "pending") return head + `pending (due in ${Math.max(0, op.due - now)} ns)`;
  const part = op.status !== "ok" && op.done > 0 ? ` (${op.done} of ${op.len} bytes)` : "";
  return head + op.status + part;
}

/** A DMA op as data (keys in a fixed order). */
function opData(op: DmaOp): Record<string, unknown> {
  return {
    id: op.id,
    dir: op.dir,
    addr: op.addr,
    len: op.len,
    status: op.status,
    done: op.done,
    submitted: op.submitted,
    due: op.due,
    bytes: op.bytes === undefined ? null : [...op.bytes],
    data: op.data === undefined ? null : [...op.data],
  };
}

/** The bytes a `dma ... write` stores: a string's bytes, or a byte value repeated; zeros without. */
function writeBytes(v: Value | undefined, len: number): Uint8Array {
  const out = new Uint8Array(len);
  if (v?.type === "str") out.set(v.bytes.subarray(0, len));
  else if (v?.type === "num") out.fill(Number(v.v & 0xffn));
  return out;
}

const dma: Command = {
  name: "dma",
  form: "word",
  group: "device",
  args: [
    { name: "BDF", accepts: "word", text: "the function whose DMA engine acts", complete: bdfs },
    {
      name: "OP",
      accepts: "word",
      optional: true,
      text: "read (the device fetches memory) or write (it stores); left out: the engine's state",
      complete: () => ["read", "write"],
    },
    {
      name: "ADDR",
      accepts: "num",
      optional: true,
      text: "bus address: an IOVA in the function's IOMMU domain, else physical",
    },
    { name: "LEN", accepts: "num", optional: true, text: "bytes" },
    {
      name: "DATA",
      accepts: "num|str",
      optional: true,
      text: 'a write\'s bytes: "a string" or a byte value repeated (default zeros)',
    },
  ],
  flags: [{ name: "--wait", text: "let virtual time pass until the op completes, then show it" }],
  summary: "play the device: queue a DMA read or write, or show its DMA engine",
  help: "The function's DMA engine queues the op; it runs when it completes on the virtual\n" +
    "clock (sleep, wait, --wait), through the function's IOMMU domain if it has one\n" +
    "(faults log DMAR: lines), else at the physical address: a page freed and reused\n" +
    "meanwhile still receives the write. Bus mastering off aborts it. `dma BDF` lists the\n" +
    "pending and recent ops.",
  example: ['dma 05:00.0 write 0x1000000 8 "DMA-DATA" --wait', "dma 05:00.0"],
  needsProcess: false,
  async run(ctx, values) {
    const wait = values.some((v) => v.type === "word" && v.text === "--wait");
    const args = values.filter((v) => !(v.type === "word" && v.text === "--wait"));
    const dev = deviceAt(ctx, args[0]);
    if (dev.isBridge) {
      throw new ReplError(`${dev.bdf} is a bridge: no DMA engine`, args[0].col, undefined, "usage");
    }
    const m = ctx.machine;
    const eng = m.pci.dma(dev);
    if (args.length === 1) {
      const dom = m.pci.iommu.enabled ? m.pci.iommu.domainOf(dev) : null;
      ctx.record?.(viewRecord("dma", {
        bdf: dev.bdf,
        pending: eng.pending.length,
        completed: eng.completedCount,
        hung: eng.hung,
        domain: dom === null ? null : { id: dom.id, pages: dom.ptes.size },
        ops: [...eng.completed, ...eng.pending].map(opData),
      }));
      ctx.out.push(
        `${dev.bdf} DMA: ${eng.pending.length} pending, ${eng.completedCount} completed` +
          (eng.hung ? ", hung" : "") + "; " +
          (dom === null
            ? "bus addresses are physical"
            : `IOMMU domain ${dom.id} (${dom.ptes.size} pages mapped)`),
      );
      for (const op of [...eng.completed, ...eng.pending]) ctx.out.push(opLine(op, m.clock.ns));
      return undefined;
    }
    const op = args[1].type === "word" ? args[1].text : "";
    if (op !== "read" && op !== "write") {
      throw new ReplError(`DMA op ${op}: read or write`, args[1].col, undefined, "usage");
    }
    if (args.length < 4) {
      throw new ReplError(`dma ${op} needs ADDR and LEN`, args[1].col, undefined, "usage");
    }
    const big = (v: Value) => (v.type === "num" ? v.v : -1n);
    const addr = big(args[2]), len = big(args[3]);
    if (addr < 0n || addr > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ReplError("ADDR: not a bus address", args[2].col, undefined, "usage");
    }
    if (len <= 0n || len > BigInt(DMA_MAX_LEN)) {
      throw new ReplError(`LEN: 1 to ${DMA_MAX_LEN} bytes`, args[3].col, undefined, "usage");
    }
    const n = Number(len);
    const r = eng.submit(op, Number(addr), n, op === "write" ? writeBytes(args[4], n) : undefined);
    if (typeof r === "string") throw new ReplError(r, args[2].col, undefined, "usage");
    ctx.out.push(
      `#${r.id} queued: ${op} ${n} bytes at ${hx(r.addr)}, due in ${r.due - m.clock.ns} ns`,
    );
    const submitted = () =>
      ctx.record?.(actionRecord("dma", { bdf: dev.bdf, op: opData(r), waited: wait && !eng.hung }));
    if (!wait || eng.hung) {
      submitted();
      return BigInt(r.id);
    }
    await ctx.backend.passTime?.(r.due - m.clock.ns);
    submitted();
    ctx.flushEvents();
    ctx.out.push(opLine(r, m.clock.ns));
    if (r.data !== undefined && r.data.length > 0) {
      pushAll(ctx.out, hexdump(BigInt(r.addr), r.data));
    }
    return BigInt(r.id);
  },
};

/** `r`, `w`, `rw` as IOMMU_READ|IOMMU_WRITE bits. */
function protOf(v: Value | undefined): number | null {
  const t = v === undefined ? "rw" : v.type === "word" ? v.text : "";
  const bits = { r: IOMMU_READ, w: IOMMU_WRITE, rw: IOMMU_READ | IOMMU_WRITE }[t];
  return bits ?? null;
}

const iommu: Command = {
  name: "iommu",
  form: "word",
  group: "device",
  args: [
    { name: "BDF", accepts: "word", text: "the function", complete: bdfs },
    {
      name: "OP",
      accepts: "word",
      optional: true,
      text: "map, unmap or detach; left out: its domain's mappings and its faults",
      complete: () => ["map", "unmap", "detach"],
    },
    { name: "IOVA", accepts: "num", optional: true, text: "the bus address the device uses" },
    { name: "ADDR", accepts: "num", optional: true, text: "map: the physical address" },
    { name: "LEN", accepts: "num", optional: true, text: "bytes (whole pages)" },
    {
      name: "PROT",
      accepts: "word",
      optional: true,
      text: "map: r, w or rw (default rw)",
      complete: () => ["r", "w", "rw"],
    },
  ],
  summary: "play a driver's IOMMU mappings for a function (map, unmap, show)",
  help: "map IOVA ADDR LEN [r|w|rw]: attach the function to a domain of its own (once) and\n" +
    "map whole pages of physical memory at IOVA (iommu_map; no page is pinned, as a buggy\n" +
    "driver would: check flags a mapped page that is freed). unmap IOVA LEN: iommu_unmap.\n" +
    "detach: back to the identity default domain. Without OP: the mappings and the\n" +
    "faults recorded for the function (DMAR: lines in dmesg).",
  example: [
    "iommu 05:00.0 map 0x10000 0x1000000 4K r",
    "dma 05:00.0 write 0x10000 4 --wait",
    "iommu 05:00.0",
  ],
  needsProcess: false,
  run(ctx, values) {
    const dev = deviceAt(ctx, values[0]);
    const io = ctx.machine.pci.iommu;
    const op = values[1]?.type === "word" ? values[1].text : undefined;
    if (op === undefined) {
      const dom = io.domainOf(dev);
      ctx.record?.(viewRecord("iommu", {
        bdf: dev.bdf,
        enabled: io.enabled,
        group: io.group(dev),
        domain: dom === null ? null : dom.id,
        mappings: dom === null
          ? []
          : [...dom.ptes].sort((a, b) => a[0] - b[0]).map(([page, e]) => ({
            iova: page * 4096,
            pfn: e.pfn,
            read: (e.prot & IOMMU_READ) !== 0,
            write: (e.prot & IOMMU_WRITE) !== 0,
          })),
        faults: io.faults.filter((f) => f.bdf === dev.bdf).map((f) => ({
          iova: f.iova,
          write: f.write,
        })),
      }));
      ctx.out.push(
        `${dev.bdf}: IOMMU ${io.enabled ? "on" : "off"}, group ${io.group(dev)}, ` +
          (dom === null ? "default (identity) domain" : `domain ${dom.id}`),
      );
      if (dom !== null) {
        for (const [page, e] of [...dom.ptes].sort((a, b) => a[0] - b[0])) {
          const prot = (e.prot & IOMMU_READ ? "r" : "-") + (e.prot & IOMMU_WRITE ? "w" : "-");
          ctx.out.push(`  ${hx(page * 4096)} -> pfn ${hx(e.pfn)} ${prot}`);
        }
      }
      for (const f of io.faults.filter((f) => f.bdf === dev.bdf)) {
        ctx.out.push(`  fault: DMA ${f.write ? "write" : "read"} at ${hx(f.iova)}`);
      }
      return undefined;
    }
    const num = (i: number, what: string): number => {
      const v = values[i];
      if (v === undefined) {
        throw new ReplError(`iommu ${op} needs ${what}`, values[1].col, undefined, "usage");
      }
      if (v.type !== "num" || v.v < 0n || v.v > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new ReplError(`${what}: not an address`, v.col, undefined, "usage");
      }
      return Number(v.v);
    };
    const record = (fields: Record<string, unknown>) =>
      ctx.record?.(actionRecord("iommu", { op, bdf: dev.bdf, ...fields }));
    const rc = (r: number, fields: Record<string, unknown> = {}) => {
      record({ ...fields, ret: r < 0 ? -1 : r, errno: r < 0 ? errnoName(-r) : null });
      ctx.out.push(r < 0 ? `= -1 ${errnoName(-r)} (${strerror(-r)})` : `= ${r}`);
    };
    if (op === "detach") {
      const dom = io.domainOf(dev);
      io.detach(dev);
      if (dom !== null && dom.devices.size === 0) io.freeDomain(dom);
      record({ domain: dom?.id ?? null });
      ctx.out.push(`${dev.bdf}: default (identity) domain`);
      return undefined;
    }
    if (op === "unmap") {
      const dom = io.domainOf(dev);
      if (dom === null) {
        throw new ReplError(`${dev.bdf} is in no domain`, values[1].col, undefined, "usage");
      }
      const iova = num(2, "IOVA"), len = num(3, "LEN");
      rc(dom.unmap(iova, len), { domain: dom.id, iova, len });
      return undefined;
    }
    if (op !== "map") {
      throw new ReplError(
        `iommu op ${op}: map, unmap or detach`,
        values[1].col,
        undefined,
        "usage",
      );
    }
    const iova = num(2, "IOVA"), addr = num(3, "ADDR"), len = num(4, "LEN");
    const prot = protOf(values[5]);
    if (prot === null) throw new ReplError("PROT: r, w or rw", values[5].col, undefined, "usage");
    if (addr % 4096 !== 0) {
      throw new ReplError("ADDR: page aligned", values[3].col, undefined, "usage");
    }
    let dom = io.domainOf(dev);
    if (dom === null) {
      dom = io.allocDomain();
      const r = io.attach(dev, dom);
      if (r < 0) {
        io.freeDomain(dom);
        rc(r, {
          domain: null,
          iova,
          addr,
          len,
          prot: values[5]?.type === "word" ? values[5].text : "rw",
        });
        return undefined;
      }
    }
    rc(dom.map(iova, addr / 4096, len, prot), {
      domain: dom.id,
      iova,
      addr,
      len,
      prot: values[5]?.type === "word" ? values[5].text : "rw",
    });
    return undefined;
  },
};

const doorbells: Command = {
  name: "doorbells",
  form: "word",
  group: "device",
  args: [{
    name: "BDF",
    accepts: "word",
    text: "the function, or an RDMA device (mlx5_0, uverbs1)",
    complete: bdfs,
  }],
  flags: [{ name: "--json", text: "print the log as JSON data instead of text" }],
  summary: "the register writes a function received (its doorbell log)",
  help: "Every store that reached the function's BAR registers, newest 256 kept:\n" +
    "[seconds.micros] BARn+0xOFF <- bytes. Stores the function did not claim (Memory\n" +
    "Space off, frozen, removed) are not there: hw.mmioUnclaimed dropped them.\n" +
    "Given an RDMA device name, the writes its BAR 0 saw as the driver decodes them\n" +
    "([emu] BARn+0xOFF writeW VALUE).",
  example: [
    'fd = open("/sys/bus/pci/devices/0000:05:00.0/resource0", O_RDWR)',
    "bar = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0)",
    'poke(bar + 0x800, "\\x01\\x00\\x00\\x00")',
    "doorbells 05:00.0",
  ],
  needsProcess: false,
  run(ctx, values) {
    const args = values.filter((v) => !(v.type === "word" && v.text === "--json"));
    const json = args.length !== values.length;
    const rdmaLog = args[0]?.type === "word" ? rdmaDoorbells(ctx.machine, args[0].text) : undefined;
    if (rdmaLog !== undefined && args[0]?.type === "word") {
      ctx.record?.(viewRecord("doorbells", rdmaLog));
      if (json) pushAll(ctx.out, JSON.stringify(rdmaLog, null, 2).split("\n"));
      else pushAll(ctx.out, rdmaDoorbellLines(ctx.machine, args[0].text) ?? []);
      return undefined;
    }
    const dev = deviceAt(ctx, args[0]);
    ctx.record?.(viewRecord("doorbells", dev.doorbells));
    if (json) {
      pushAll(ctx.out, JSON.stringify(dev.doorbells, null, 2).split("\n"));
      return undefined;
    }
    ctx.out.push(`${dev.bdf}: ${dev.doorbellWrites} register writes`);
    for (const d of dev.doorbells) {
      const us = Math.floor(d.ns / 1000);
      const t = `[${String(Math.floor(us / 1e6)).padStart(5)}.${
        String(us % 1e6).padStart(6, "0")
      }]`;
      const bytes = d.bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
      ctx.out.push(`${t} BAR${d.bar}+${hx(d.offset)} <- ${bytes}`);
    }
    return undefined;
  },
};

/** The device commands, in help order. */
export const DEVICE_COMMANDS: readonly Command[] = [
  lspci,
  deviceBind,
  deviceUnbind,
  injectFaultCmd,
  dma,
  iommu,
  doorbells,
];
