/**
 * lspci's views of the machine's PCI functions, as data and as lspci's own
 * text (pciutils lspci.c show_terse/show_verbose/show_bases, ls-tree.c):
 * `lspci`, `lspci -nn`, `lspci -v`/`-vv` (with `-k`'s kernel driver lines),
 * `lspci -t`, `lspci -x` (config space in hex), and `-s [[DOMAIN:]BUS:]DEV[.FN]` to select.
 *
 * Not modelled: capability lists (Status shows `Cap-`), interrupts beyond
 * the pin and a fixed IRQ, expansion ROMs, I/O windows of bridges.
 * @module
 */

import type { PciDev } from "./device.ts";
import { className, deviceName, hex4, progIfName, VENDORS } from "./ids.ts";
import {
  PCI_COMMAND_INTX_DISABLE,
  PCI_COMMAND_IO,
  PCI_COMMAND_MASTER,
  PCI_COMMAND_MEMORY,
  PCI_COMMAND_SERR,
  PCI_STATUS_CAP_LIST,
} from "./regs.ts";
import type { PciTopology } from "./topology.ts";

/** One BAR as lspci shows it. */
export interface LspciBar {
  /** BAR number (`Region N`). */
  index: number;
  /** Register width and space. */
  kind: "mem32" | "mem64" | "io";
  /** Bus address (hex string: may exceed 2^53 in principle). */
  addr: string;
  /** Size in bytes (`[size=...]`). */
  size: number;
  /** Prefetchable memory (`prefetchable` vs `non-prefetchable`). */
  prefetch: boolean;
  /** The COMMAND bit for its space is clear: lspci appends ` [disabled]`. */
  disabled: boolean;
}

/** One function as data (`lspci --json`). */
export interface LspciEntry {
  /** Domain-qualified address, `0000:01:00.0`. */
  bdf: string;
  /** Bus address without the domain, `01:00.0`, as lspci prints it. */
  slot: string;
  /** Class, subclass and prog-if (24 bits). */
  classCode: number;
  /** Class name lspci prints (`Ethernet controller`). */
  className: string;
  /** Vendor ID. */
  vendor: number;
  /** Device ID. */
  device: number;
  /** Vendor and device name, as lspci prints them. */
  name: string;
  /** Revision ID. */
  rev: number;
  /** Programming interface (low byte of the class code). */
  progIf: number;
  /** `(prog-if NN [name])` text, null when lspci has no name for it. */
  progIfName: string | null;
  /** `Subsystem:` text, null for bridges. */
  subsystem: string | null;
  /** The COMMAND register. */
  command: number;
  /** The STATUS register. */
  status: number;
  /** The IOMMU group, null with the IOMMU off. */
  iommuGroup: number | null;
  /** Interrupt pin (1 = A), 0 for none. */
  intPin: number;
  /** IRQ number (`IRQ N`). */
  irq: number;
  /** Its BARs, in index order. */
  bars: LspciBar[];
  /** Bridges: bus numbers and the memory window, as [start, end] hex strings. */
  bridge:
    | { primary: number; secondary: number; subordinate: number; window: string[] | null }
    | null;
  /** `Kernel driver in use:`, null when none is bound. */
  driver: string | null;
  /** `Kernel modules:`, null when no module claims the IDs. */
  modules: string | null;
  /** Hardware state of the function. */
  state: "present" | "frozen" | "removed";
  /** SR-IOV: the PF of a VF, or a PF's VFs. */
  physfn: string | null;
  /** BDFs of a PF's enabled VFs (empty otherwise). */
  vfs: string[];
  /** `driver_override` in sysfs, null when unset. */
  driverOverride: string | null;
}

/** The entries, in lspci's order (domain, bus, devfn). */
export function lspciEntries(t: PciTopology): LspciEntry[] {
  const on = t.iommu.enabled;
  return t.present().map((d) => entry(d, on ? t.iommu.group(d) : null));
}

function entry(d: PciDev, group: number | null): LspciEntry {
  const hx = (n: number) => n.toString(16);
  const sub = d.isBridge ? null : subsystemName(d);
  return {
    bdf: d.bdf,
    slot: d.slot,
    classCode: d.ids.classCode,
    className: className(d.ids.classCode),
    vendor: d.ids.vendor,
    device: d.ids.device,
    name: deviceName(d.ids.vendor, d.ids.device),
    rev: d.ids.rev,
    progIf: d.ids.classCode & 0xff,
    progIfName: progIfName(d.ids.classCode) ?? null,
    subsystem: sub,
    command: d.command,
    status: d.configRead(6, 2),
    iommuGroup: group,
    intPin: d.configRead(0x3d, 1),
    irq: 16 + ((d.bus + d.dev) % 4),
    bars: d.bars.filter((b) => b !== null).map((b) => ({
      index: b!.index,
      kind: b!.kind,
      addr: hx(b!.addr),
      size: b!.size,
      prefetch: b!.prefetch,
      disabled: !(d.command & (b!.kind === "io" ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)),
    })),
    bridge: d.isBridge
      ? {
        primary: d.configRead(0x18, 1),
        secondary: d.secondary,
        subordinate: d.subordinate,
        window: d.window === null ? null : [hx(d.window.start), hx(d.window.end)],
      }
      : null,
    driver: d.isBridge && d.upstream !== null || d.isBridge && d.bus === 0
      ? "pcieport"
      : d.driver?.name ?? null,
    modules: d.nativeDriver,
    state: d.state,
    physfn: d.physfn?.bdf ?? null,
    vfs: d.vfs.map((v) => v.bdf),
    driverOverride: d.driverOverride,
  };
}

/** `Mellanox Technologies Device 0007` (no subsystem names are in mmlab's pci.ids). */
function subsystemName(d: PciDev): string | null {
  const v = d.ids.subVendor;
  if (v === 0 || v === 0xffff) return null;
  return `${VENDORS.get(v) ?? `Vendor ${hex4(v)}`} Device ${hex4(d.ids.subDevice)}`;
}

/** lspci's options, as the REPL parses them. */
export interface LspciOptions {
  /** 0, 1 (-v), 2 (-vv) or 3 (-vvv, shown as -vv). */
  verbose: number;
  /** 0, 1 (-n: numbers only) or 2 (-nn: names and numbers). */
  numeric: number;
  /** -k: kernel driver lines without -v. */
  kernel: boolean;
  /** -t: the bus tree. */
  tree: boolean;
  /** -D: always show domains. */
  domains: boolean;
  /** -x (1: 64 bytes), -xxx (3: 256), -xxxx (4: 4096): hex dump of config space. */
  hex?: number;
  /** -s: a slot filter. */
  slot?: string;
}

/**
 * Parses lspci's command-line switches (`-vv`, `-nn`, `-k`, `-t`, `-D`,
 * `-s SLOT`, and combinations like `-tv`). Returns the options or an error.
 */
export function parseLspciArgs(args: readonly string[]): LspciOptions | string {
  const o: LspciOptions = { verbose: 0, numeric: 0, kernel: false, tree: false, domains: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!/^-[A-Za-z]/.test(a)) {
      return `lspci: unexpected argument ${a}; usage: lspci [-t] [-v|-vv] [-nn] [-k] [-x] [-D] [-s SLOT]`;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      if (c === "v") o.verbose++;
      else if (c === "n") o.numeric++;
      else if (c === "k") o.kernel = true;
      else if (c === "t") o.tree = true;
      else if (c === "D") o.domains = true;
      else if (c === "x") o.hex = (o.hex ?? 0) + 1;
      else if (c === "s") {
        const rest = a.slice(j + 1);
        const v = rest !== "" ? rest : args[++i];
        if (v === undefined) return "lspci: -s needs a slot ([[domain:]bus:]dev[.fn])";
        if (slotFilter(v) === null) return `lspci: -s ${v}: not a slot ([[domain:]bus:]dev[.fn])`;
        o.slot = v;
        break;
      } else return `lspci: invalid option -- '${c}'`;
    }
  }
  return o;
}

/** `-s` as a test on a BDF, or null when malformed. */
function slotFilter(s: string): ((e: LspciEntry) => boolean) | null {
  const m = /^(?:(?:([0-9a-f]{1,4}):)?([0-9a-f]{1,2}):)?([0-9a-f]{1,2})?(?:\.([0-7]))?$/i.exec(s);
  if (m === null || s === "") return null;
  const [, dom, bus, dev, fn] = m;
  return (e) => {
    const [d, b, rest] = e.bdf.split(":");
    const [dv, f] = rest.split(".");
    return (dom === undefined || parseInt(dom, 16) === parseInt(d, 16)) &&
      (bus === undefined || parseInt(bus, 16) === parseInt(b, 16)) &&
      (dev === undefined || parseInt(dev, 16) === parseInt(dv, 16)) &&
      (fn === undefined || Number(fn) === Number(f));
  };
}

/** The entries `-s` selects. */
export function filterLspci(entries: LspciEntry[], o: LspciOptions): LspciEntry[] {
  if (o.slot === undefined) return entries;
  const f = slotFilter(o.slot)!;
  return entries.filter(f);
}

const flag = (v: number, bit: number) => (v & bit ? "+" : "-");

/**
 * lspci's show_hex_dump(): `00: b3 15 17 10 ...`, 16 bytes a line; -x shows
 * the standard 64-byte header, -xxx 256 bytes, -xxxx the 4096 extended
 * bytes (as root).
 */
export function hexDump(config: Uint8Array, level: number): string[] {
  const n = level >= 4 ? 4096 : level >= 3 ? 256 : 64;
  const out: string[] = [];
  for (let at = 0; at < n; at += 16) {
    const row = [...config.subarray(at, at + 16)].map((b) => b.toString(16).padStart(2, "0"));
    out.push(`${at.toString(16).padStart(2, "0")}: ${row.join(" ")}`);
  }
  return out;
}

/**
 * The text of `lspci [-v|-vv] [-nn] [-k] [-x]` for the entries given;
 * `config` gives a function's config space for -x.
 */
export function renderLspci(
  entries: readonly LspciEntry[],
  o: LspciOptions,
  config?: (bdf: string) => Uint8Array | undefined,
): string[] {
  const out: string[] = [];
  for (const e of entries) {
    out.push(terse(e, o));
    if (o.verbose > 0 || o.kernel) {
      if (e.subsystem !== null) out.push(`\tSubsystem: ${e.subsystem}`);
    }
    if (o.verbose > 0) verbose(e, o, out);
    if (o.verbose > 0 || o.kernel) {
      if (e.driver !== null) out.push(`\tKernel driver in use: ${e.driver}`);
      if (e.modules !== null) out.push(`\tKernel modules: ${e.modules}`);
    }
    const hex = o.hex ?? 0;
    const cfg = hex > 0 ? config?.(e.bdf) : undefined;
    if (cfg !== undefined) out.push(...hexDump(cfg, hex));
    if (o.verbose > 0 || hex > 0) out.push("");
  }
  return out;
}

function terse(e: LspciEntry, o: LspciOptions): string {
  const slot = o.domains ? e.bdf : e.slot;
  const cls = e.classCode >> 8;
  let s: string;
  if (o.numeric === 1) {
    s = `${slot} ${hex4(cls)}: ${hex4(e.vendor)}:${hex4(e.device)}`;
  } else if (o.numeric >= 2) {
    s = `${slot} ${e.className} [${hex4(cls)}]: ${e.name} [${hex4(e.vendor)}:${hex4(e.device)}]`;
  } else s = `${slot} ${e.className}: ${e.name}`;
  if (e.rev !== 0) s += ` (rev ${e.rev.toString(16).padStart(2, "0")})`;
  if (o.verbose > 0 && (e.progIf !== 0 || e.progIfName !== null)) {
    s += ` (prog-if ${e.progIf.toString(16).padStart(2, "0")}`;
    if (e.progIfName !== null) s += ` [${e.progIfName}]`;
    s += ")";
  }
  return s;
}

function verbose(e: LspciEntry, o: LspciOptions, out: string[]): void {
  const cmd = e.command, st = e.status;
  if (o.verbose > 1) {
    out.push(
      `\tControl: I/O${flag(cmd, PCI_COMMAND_IO)} Mem${flag(cmd, PCI_COMMAND_MEMORY)} ` +
        `BusMaster${flag(cmd, PCI_COMMAND_MASTER)} SpecCycle- MemWINV- VGASnoop- ParErr- ` +
        `Stepping- SERR${flag(cmd, PCI_COMMAND_SERR)} FastB2B- ` +
        `DisINTx${flag(cmd, PCI_COMMAND_INTX_DISABLE)}`,
    );
    out.push(
      `\tStatus: Cap${flag(st, PCI_STATUS_CAP_LIST)} 66MHz- UDF- FastB2B- ParErr- DEVSEL=fast ` +
        `>TAbort- <TAbort- <MAbort- >SERR- <PERR- INTx-`,
    );
    if (cmd & PCI_COMMAND_MASTER) out.push(`\tLatency: 0, Cache Line Size: 64 bytes`);
    if (e.intPin !== 0) {
      out.push(`\tInterrupt: pin ${String.fromCharCode(64 + e.intPin)} routed to IRQ ${e.irq}`);
    }
    if (e.iommuGroup !== null) out.push(`\tIOMMU group: ${e.iommuGroup}`);
  } else {
    let f = "\tFlags: ";
    if (cmd & PCI_COMMAND_MASTER) f += "bus master, ";
    f += "fast devsel";
    if (cmd & PCI_COMMAND_MASTER) f += ", latency 0";
    if (e.intPin !== 0) f += `, IRQ ${e.irq}`;
    if (e.iommuGroup !== null) f += `, IOMMU group ${e.iommuGroup}`;
    out.push(f);
  }
  for (const b of e.bars) out.push(`\t${o.verbose > 1 ? `Region ${b.index}: ` : ""}${barText(b)}`);
  const br = e.bridge;
  if (br !== null) {
    out.push(
      `\tBus: primary=${h2(br.primary)}, secondary=${h2(br.secondary)}, ` +
        `subordinate=${h2(br.subordinate)}, sec-latency=0`,
    );
    if (br.window !== null) {
      const [s, end] = br.window.map((x) => x.padStart(16, "0"));
      out.push(`\tPrefetchable memory behind bridge: ${s}-${end}`);
    }
    if (o.verbose > 1) {
      out.push(
        "\tSecondary status: 66MHz- FastB2B- ParErr- DEVSEL=fast >TAbort- <TAbort- <MAbort- " +
          "<SERR- <PERR-",
      );
      out.push("\tBridgeCtl: Parity- SERR+ NoISA- VGA- MAbort- >Reset- FastB2B-");
      out.push("\t\tPriDiscTmr- SecDiscTmr- DiscTmrStat- DiscTmrSERREn-");
    }
  }
}

function h2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** `Memory at 7fe0000000 (64-bit, prefetchable) [size=32M]`, `I/O ports at e000 [size=32]`. */
export function barText(b: LspciBar): string {
  let s: string;
  if (b.kind === "io") {
    s = `I/O ports at ${b.addr.padStart(4, "0")}`;
  } else {
    s = `Memory at ${b.addr.padStart(8, "0")} (${b.kind === "mem64" ? "64-bit" : "32-bit"}, ` +
      `${b.prefetch ? "" : "non-"}prefetchable)`;
  }
  if (b.disabled) s += " [disabled]";
  return s + sizeText(b.size);
}

/** lspci's show_size(): ` [size=32M]`. */
function sizeText(x: number): string {
  const suffix = ["", "K", "M", "G", "T"];
  let i = 0;
  while (i < suffix.length - 1 && x >= 1024) {
    x = Math.floor(x / 1024);
    i++;
  }
  return ` [size=${x}${suffix[i]}]`;
}

/**
 * `lspci -t` (ls-tree.c): the host bridge's bus, then each function on a
 * bus as `+-DD.F` (`\-` for the last), bridges followed by
 * `-[SEC-SUB]-` and their bus; `-v` adds names. After each printed line
 * the drawing continues with `|` under every `+` and blanks elsewhere.
 * With `-s`, the subtrees of the matching bridges, each from
 * `DOMAIN:BUS:` (endpoints alone print nothing, as in lspci).
 */
export function renderLspciTree(entries: readonly LspciEntry[], o: LspciOptions): string[] {
  const out: string[] = [];
  const line: string[] = [];
  const put = (at: number, s: string): number => {
    for (let i = 0; i < s.length; i++) line[at + i] = s[i];
    return at + s.length;
  };
  const emit = (end: number) => {
    out.push(line.slice(0, end).join("").replace(/\s+$/, ""));
    for (let i = 0; i < line.length; i++) line[i] = line[i] === "+" || line[i] === "|" ? "|" : " ";
  };
  const onBus = (bus: number) => entries.filter((e) => parseInt(e.slot.slice(0, 2), 16) === bus);
  const showDev = (e: LspciEntry, at: number) => {
    let p = put(at, e.slot.slice(3).replace(/\.(\d)$/, ".$1"));
    if (e.bridge !== null) {
      const b = e.bridge;
      p = put(
        p,
        b.secondary === b.subordinate
          ? `-[${h2(b.secondary)}]-`
          : `-[${h2(b.secondary)}-${h2(b.subordinate)}]-`,
      );
      p = put(p, "-");
      showBus(b.secondary, p);
      return;
    }
    if (o.verbose > 0) p = put(p, `  ${e.name}`);
    emit(p);
  };
  const showBus = (bus: number, at: number) => {
    const ds = onBus(bus);
    if (ds.length === 0) {
      emit(at);
      return;
    }
    if (ds.length === 1) {
      showDev(ds[0], put(at, "--"));
      return;
    }
    ds.forEach((d, i) => showDev(d, put(at, i < ds.length - 1 ? "+-" : "\\-")));
  };
  if (o.slot !== undefined) {
    // show_forest() with a filter: each matching bridge's subtree, from it.
    const f = slotFilter(o.slot)!;
    for (const e of entries) {
      if (e.bridge === null || !f(e)) continue;
      showDev(e, put(0, e.bdf.slice(0, 8)));
    }
    return out;
  }
  const p = put(0, "-[0000:00]-");
  showBus(0, p);
  return out;
}
