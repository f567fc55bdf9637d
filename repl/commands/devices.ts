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
  errnoName,
  FAULT_KINDS,
  filterLspci,
  injectFault,
  lspciEntries,
  parseLspciArgs,
  type PciDev,
  type RemoveBlocked,
  renderLspci,
  renderLspciTree,
  strerror,
} from "../../mod.ts";
import type { Command, CommandContext, Value } from "./types.ts";

const words = (vals: Value[]) => vals.map((v) => (v.type === "word" ? v.text : ""));

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

function sysfsWrite(ctx: CommandContext, path: string, value: string, r: number): void {
  ctx.out.push(`write(${path}, "${value}") ${ret(r, value.length)}`);
}

/**
 * The unbind write of `dev`: done at once, or (the driver's remove waits
 * for userspace) the thread sleeps in D state until the driver says the
 * device is released: `<unfinished ...>`, later `<... write resumed> = N`.
 * Returns whether it finished.
 */
function unbind(ctx: CommandContext, dev: PciDev): boolean {
  const m = ctx.machine;
  const name = dev.driver!.name;
  const path = `/sys/bus/pci/drivers/${name}/unbind`;
  const r = m.drivers.unbind(dev);
  if ("ret" in r) {
    sysfsWrite(ctx, path, dev.bdf, r.ret);
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
    text: "-t (tree), -v/-vv (verbose), -n/-nn (IDs), -k (drivers), -D (domains), -s SLOT",
  }],
  flags: [{ name: "--json", text: "print the functions as JSON data instead of text" }],
  summary: "the PCI functions, as lspci prints them",
  help: "lspci's text: one line a function (class, vendor and device names, revision);\n" +
    "-vv adds the COMMAND register (Control: I/O- Mem+ BusMaster+ ...), BARs with\n" +
    "addresses and sizes, bridges' bus numbers and windows, and the kernel driver in use.\n" +
    "-t draws the bus tree; -s 03:00.0 selects one function. --json prints the data.",
  example: ["lspci -t", "lspci -vv -s 03:00.0"],
  needsProcess: false,
  run(ctx, values) {
    const json = values.some((v) => v.type === "word" && v.text === "--json");
    const args = words(values).filter((w) => w !== "--json" && w !== "");
    const o = parseLspciArgs(args);
    if (typeof o === "string") throw new ReplError(o, values[0]?.col, undefined, "usage");
    const entries = filterLspci(lspciEntries(ctx.machine.pci), o);
    if (json) pushAll(ctx.out, JSON.stringify(entries, null, 2).split("\n"));
    else if (o.tree) pushAll(ctx.out, renderLspciTree(lspciEntries(ctx.machine.pci), o));
    else pushAll(ctx.out, renderLspci(entries, o));
    return undefined;
  },
};

const deviceBind: Command = {
  name: "device-bind",
  form: "word",
  group: "device",
  args: [
    { name: "BDF", accepts: "word", text: "the function (03:00.0 or 0000:03:00.0)" },
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
    sysfsWrite(ctx, `/sys/bus/pci/devices/${dev.bdf}/driver_override`, name, 0);
    if (dev.driver?.name === name) {
      ctx.out.push(`(${dev.bdf} is already bound to ${name})`);
      return undefined;
    }
    if (dev.driver !== null && !unbind(ctx, dev)) return undefined;
    const r = core.bind(dev, name);
    sysfsWrite(ctx, `/sys/bus/pci/drivers/${name}/bind`, dev.bdf, r);
    return undefined;
  },
};

const deviceUnbind: Command = {
  name: "device-unbind",
  form: "word",
  group: "device",
  args: [{ name: "BDF", accepts: "word", text: "the function (03:00.0 or 0000:03:00.0)" }],
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
    unbind(ctx, dev);
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
    const r = injectFault(ctx.machine, kind, target);
    if ("error" in r) {
      const col = (FAULT_KINDS as readonly string[]).includes(kind) ? values[1].col : values[0].col;
      throw new ReplError(r.error, col, undefined, "usage");
    }
    pushAll(ctx.out, r.ok);
    return undefined;
  },
};

/** The device commands, in help order. */
export const DEVICE_COMMANDS: readonly Command[] = [
  lspci,
  deviceBind,
  deviceUnbind,
  injectFaultCmd,
];
