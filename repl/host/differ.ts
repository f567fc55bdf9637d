/**
 * The differential runner: one command file fed to two {@link Session}s,
 * one over the emulated machine and one over the host kernel (a
 * {@link HostBackend} over mmhost), line by line, compared after
 * normalisation.
 *
 * Before the first line both sides get the window prelude (window.ts):
 * placeholders above the window, fds 0-2 open, and equal map counts. Then
 * every line runs on both; each side keeps its own variables.
 *
 * Normalisation, applied to both sides alike:
 * - a plain maps/smaps shows only the VMAs meeting the window (with an
 *   ADDR [LEN] range, the VMAs meeting that range, wherever it is); the
 *   host's run directory reads as /tmp;
 * - in maps/smaps header lines, device numbers other than 00:00/00:01 and
 *   non-zero inode numbers become labels in order of first appearance
 *   (`dev1`, `ino1`, ...; also in an O_TMPFILE name, `/tmp/#INO`), so
 *   "same file" is still checked but host numbering is not;
 * - where the host cannot write core dumps, " (core dumped)" is dropped;
 * - smaps `LazyFree:` is not compared: when MADV_FREE pages are counted
 *   depends on when the host's per-CPU LRU batches drain;
 * - `wait`'s `(S.NNNNNNNNNs passed)` is not compared: mmlab's virtual clock
 *   also advances by what its calls cost, the host's session clock only by
 *   sleep and wait (which timer ends, and in what order, still compares).
 * - a thread's `<unfinished ...>` in handle_userfault (or reading a uffd,
 *   userfaultfd_ctx_read) compares as "thread T is blocked": the host sees that a call went on past mmhost's bound,
 *   not where it waits.
 * A step whose host output has a `(host: ...)` note is not compared. A
 * line that does not run (bad syntax, an unknown name, a misused command)
 * makes the case "invalid" even when both sides print the same error.
 *
 * The host is probed once per process (probe.ts, {@link hostSetup}): mmlab's
 * machine takes the knobs and sysctls matching the host, the host subject
 * runs the adaptation's setup requests, and cases the host cannot compare
 * are skipped with the reason.
 *
 * A command file's leading comment block may carry directives:
 * `# xfail: REASON` (a known mismatch), `# requires: KEY=VALUE, ...` (host
 * facts, see hostFacts, and `vdso`: where the host process's
 * [vdso] starts, in hex; the case is skipped where they do not hold),
 * `# map-count: N` (both sides start with exactly N VMAs), `# ram: SIZE`
 * (mmlab's RAM; skipped on a host with less).
 * @module
 */

import { type MachineConfig, resource, setRlimit } from "../../mod.ts";
import { Session } from "../session.ts";
import { wordShape } from "../commands/index.ts";
import { parseLine } from "../parser.ts";
import { formatError, type ReplErrorKind } from "../errors.ts";
import { buildHost } from "./build.ts";
import { HostServer } from "./protocol.ts";
import { HOST_NOTE, HostBackend } from "./host_backend.ts";
import { notRunLine } from "../backend.ts";
import { MMAP_BASE, padMmlab, reserveMmlab, WINDOW_HI, WINDOW_LO } from "./window.ts";
import { pushAll } from "../bulk.ts";
import {
  type Adaptation,
  decide,
  describeAdaptation,
  type HostProbe,
  probeHost,
  readText,
  skipReason,
} from "./probe.ts";

/** The directives of a command file. */
export interface CaseInfo {
  /** The first comment line. */
  title: string;
  xfail?: string;
  requires: string[];
  mapCount?: number;
  /** `# ram: SIZE`: the emulated RAM the case assumes (mmlab's default otherwise). */
  ramBytes?: number;
  /** Header lines that are not directives, or directives with a bad value. */
  badDirective?: string;
}

/** A size as directives write it: bytes, or with a K, M or G suffix. */
function parseSize(text: string): number | undefined {
  const m = /^(\d+)\s*([KMG]?)$/i.exec(text.trim());
  if (m === null) return undefined;
  const shift = { "": 0, K: 10, M: 20, G: 30 }[m[2].toUpperCase() as "" | "K" | "M" | "G"];
  return Number(m[1]) * 2 ** shift;
}

/** Reads the directives from the leading comment block. */
export function parseHeader(text: string): CaseInfo {
  const info: CaseInfo = { title: "", requires: [] };
  for (const raw of text.split("\n")) {
    const l = raw.trim();
    if (l === "") continue;
    if (!l.startsWith("#")) break;
    const body = l.replace(/^#+\s*/, "");
    const m = /^(xfail|requires|map-count|ram):\s*(.*)$/.exec(body);
    if (m === null) {
      if (info.title === "") info.title = body;
      continue;
    }
    if (m[1] === "xfail") info.xfail = m[2];
    else if (m[1] === "requires") {
      info.requires.push(...m[2].split(",").map((s) => s.trim()).filter((s) => s !== ""));
    } else if (m[1] === "ram") {
      const n = parseSize(m[2]);
      if (n === undefined || n < 16 << 20 || n % 4096 !== 0) {
        info.badDirective = `ram: ${m[2]} (want a size of 16M or more, such as 4G)`;
      } else info.ramBytes = n;
    } else info.mapCount = Number(m[2]);
  }
  return info;
}

/** What the host kernel is, as far as cases depend on it. */
export type HostFacts = Record<string, string>;

/** The filesystem holding `dir` (longest mount point prefix in /proc/self/mounts). */
function mountOf(mounts: string, dir: string): { type: string; options: string[] } {
  let best = "", type = "unknown", options: string[] = [];
  for (const l of mounts.split("\n")) {
    const [, mnt, fstype, opts] = l.split(" ");
    if (mnt === undefined) continue;
    const m = mnt.replaceAll("\\040", " ");
    if ((dir === m || dir.startsWith(m === "/" ? "/" : m + "/")) && m.length >= best.length) {
      best = m;
      type = fstype;
      options = (opts ?? "").split(",");
    }
  }
  return { type, options };
}

/** Whether /proc/self/limits allows a core file (a soft limit above 0). */
function coreLimit(limits: string | null): boolean {
  const m = /^Max core file size\s+(\S+)/m.exec(limits ?? "");
  return m !== null && m[1] !== "0";
}

/**
 * Host facts, read once through the probe's server (hostSetup): `kernel`
 * (release), `thp` (the bracketed mode), `tmp_fs` (the filesystem type the
 * run's files live on, standing in for mmlab's ext4 /tmp), `tmp_noexec`
 * (`y` if that mount is noexec), `memory_failure` / `ksm` (`y`/`n`,
 * CONFIG_MEMORY_FAILURE / CONFIG_KSM, from their /proc and /sys files),
 * `max_map_count`, `mmap_min_addr`, `overcommit_memory`, `core` (`y` when
 * a core dump can be written), `swap` (`y` when a swap area is active),
 * `root` (`y` when running with effective uid 0, as mmlab's machine does),
 * `cap_sys_resource` (`y` when the subject may raise hard resource limits,
 * as mmlab's root does; containers often drop it).
 */
/** The CapEff mask of a /proc/PID/status text (0 if absent). */
function capEff(status: string | null): bigint {
  const m = /^CapEff:\s+([0-9a-f]+)/m.exec(status ?? "");
  return m === null ? 0n : BigInt("0x" + m[1]);
}

async function hostFacts(server: HostServer, dir: string): Promise<HostFacts> {
  const read = (path: string) => readText(server, path);
  const thpText = await read("/sys/kernel/mm/transparent_hugepage/enabled") ?? "";
  const pattern = await read("/proc/sys/kernel/core_pattern");
  const mount = mountOf(await read("/proc/self/mounts") ?? "", dir);
  return {
    kernel: await read("/proc/sys/kernel/osrelease") ?? "",
    tmp_fs: mount.type,
    tmp_noexec: mount.options.includes("noexec") ? "y" : "n",
    thp: /\[(\w+)\]/.exec(thpText)?.[1] ?? "none",
    memory_failure: await read("/proc/sys/vm/memory_failure_early_kill") !== null ? "y" : "n",
    ksm: await read("/sys/kernel/mm/ksm/run") !== null ? "y" : "n",
    max_map_count: await read("/proc/sys/vm/max_map_count") ?? "",
    mmap_min_addr: await read("/proc/sys/vm/mmap_min_addr") ?? "",
    overcommit_memory: await read("/proc/sys/vm/overcommit_memory") ?? "",
    core: pattern !== null && pattern !== "" && coreLimit(await read("/proc/self/limits"))
      ? "y"
      : "n",
    swap: ((await read("/proc/swaps")) ?? "").split("\n").length > 1 ? "y" : "n",
    root: /^Uid:\s+\d+\s+0\s/m.test(await read("/proc/self/status") ?? "") ? "y" : "n",
    cap_sys_resource: capEff(await read("/proc/self/status")) & (1n << 24n) ? "y" : "n",
  };
}

/** What a run knows of the host: its facts, the probe, and the adaptation chosen. */
export interface HostSetup {
  facts: HostFacts;
  probe: HostProbe;
  adaptation: Adaptation;
}

let setupCache: Promise<HostSetup> | undefined;

/**
 * Reads the host facts and probes the host (probe.ts), once per process,
 * through a server of its own (the probe leaves its subject changed).
 */
export function hostSetup(bin: string, dir: string): Promise<HostSetup> {
  setupCache ??= (async () => {
    const tmpdir = await Deno.makeTempDir({ dir, prefix: "probe-" });
    const server = HostServer.start(bin, tmpdir);
    try {
      const facts = await hostFacts(server, dir);
      const probe = await probeHost(server);
      return { facts, probe, adaptation: decide(probe) };
    } finally {
      await server.close();
      await Deno.remove(tmpdir, { recursive: true }).catch(() => {});
    }
  })();
  return setupCache;
}

/**
 * The summary phrase naming what the differential runs adapted to on this
 * host, or null where the comparison cannot run.
 */
export async function hostAdaptations(): Promise<string | null> {
  const build = await buildHost();
  if ("skip" in build) return null;
  const setup = await hostSetup(build.bin, build.dir);
  const notes = setup.adaptation.notes.map((n) => `; ${n}`).join("");
  return describeAdaptation(setup.adaptation) + notes;
}

/** Why the requirements do not hold on this host, or null when they do. */
export function unmet(requires: readonly string[], facts: HostFacts): string | null {
  for (const r of requires) {
    const [k, v] = r.split("=").map((s) => s.trim());
    if (!(k in facts)) return `unknown host fact ${k}`;
    if (facts[k] !== v) return `needs ${k}=${v}, this host has ${k}=${facts[k] || "(none)"}`;
  }
  return null;
}

/** One command line and what each side printed (normalised). */
export interface Step {
  /** 1-based line number in the file. */
  lineNo: number;
  /** The echoed line: a comment, or the prompt and the command. */
  echo: string;
  mmlab: string[];
  host: string[];
  /** Whether the outputs were compared (no host note). */
  compared: boolean;
  /**
   * The error line when the line itself is wrong (it does not parse, names
   * nothing known, or misuses a command) on either side: such a line runs
   * nothing, so the case is invalid even when both sides print the same error.
   */
  malformed?: string;
}

/** The outcome of a differential run. */
export interface DiffResult {
  /** "invalid": a line is malformed (see {@link Step.malformed}); `first` is that step. */
  status: "same" | "differ" | "skip" | "invalid";
  /** Why it was skipped. */
  reason?: string;
  info: CaseInfo;
  steps: Step[];
  /** The first step whose outputs differ (or, when invalid, the malformed step). */
  first?: number;
  /** Every step whose outputs differ, in order. */
  differing?: number[];
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+) ?(.*)$/;

/** Relabels device and inode numbers in maps/smaps header lines, PFNs in pagemap lines. */
export class Labeller {
  private readonly devs = new Map<string, string>();
  private readonly inos = new Map<string, string>();

  private readonly pfns = new Map<string, string>();

  line(l: string): string {
    const pm = PAGEMAP_LINE.exec(l);
    if (pm !== null) return this.pagemapLine(pm);
    const m = HEADER.exec(l);
    if (m === null) return l;
    const [, s, e, perms, off, dev0, ino0, rest] = m;
    let dev = dev0, ino = ino0;
    if (dev !== "00:00" && dev !== "00:01") {
      if (!this.devs.has(dev)) this.devs.set(dev, `dev${this.devs.size + 1}`);
      dev = this.devs.get(dev)!;
    }
    if (ino !== "0") {
      if (!this.inos.has(ino)) this.inos.set(ino, `ino${this.inos.size + 1}`);
      ino = this.inos.get(ino)!;
    }
    if (dev === dev0 && ino === ino0) return l;
    // An O_TMPFILE file is named after its inode: /tmp/#INO (deleted).
    const name = rest.trim().replace(`/#${ino0}`, `/#${ino}`);
    const head = `${s}-${e} ${perms} ${off} ${dev} ${ino} `;
    return name === "" ? head : head.padEnd(73, " ") + name;
  }

  private pagemapLine([, addr, entry, names, pfn]: RegExpExecArray): string {
    if (pfn === "0") return `${addr} ${entry} ${names} pfn=0x0`;
    if (!this.pfns.has(pfn)) this.pfns.set(pfn, `pfn${this.pfns.size + 1}`);
    const flags = (BigInt("0x" + entry) >> 55n).toString(16);
    return `${addr} ${flags}<<55|${this.pfns.get(pfn)} ${names} pfn=${this.pfns.get(pfn)}`;
  }
}

/**
 * A pagemap view line: the PFN (in the entry's low 55 bits and after
 * `pfn=`) becomes a label by first appearance, `pfn1`, ...: frames differ
 * between the machines, which pages share one does not.
 */
const PAGEMAP_LINE = /^([0-9a-f]+) ([0-9a-f]{16}) (.*) pfn=0x([0-9a-f]+)$/;

/** Keeps the VMAs (header line and, for smaps, the lines after it) meeting [lo, hi). */
export function restrict(lines: readonly string[], lo: number, hi: number): string[] {
  const out: string[] = [];
  // Lines before the first VMA (an error such as an unknown @ target) stay.
  let keep = true;
  for (const l of lines) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(l);
    if (m) {
      const s = parseInt(m[1], 16), e = parseInt(m[2], 16);
      keep = s < hi && e > lo;
    }
    if (keep) out.push(l);
  }
  return out;
}

/**
 * Whether a line is a plain maps/smaps command, whose output is restricted
 * to the window (with an ADDR [LEN] range, the range alone decides).
 */
function isWholeView(line: string): boolean {
  try {
    const st = parseLine(line, wordShape);
    return st.type === "command" && (st.name === "maps" || st.name === "smaps") &&
      st.args.length === 0;
  } catch {
    return false;
  }
}

/** Options of a run. */
export interface RunOptions {
  /** The name errors are reported under. */
  source: string;
  /** mmlab's machine (a preset or policies to compare against 6.18). */
  config?: MachineConfig;
  /** An adaptation to use instead of the probed host's (tests play other hosts with it). */
  adaptation?: Adaptation;
}

/**
 * Runs a command file on mmlab and on the host and compares them. Skips
 * (status "skip") where the host cannot run mmhost or a requirement does
 * not hold; throws when the harness itself fails.
 */
export async function runDifferential(text: string, opts: RunOptions): Promise<DiffResult> {
  const info = parseHeader(text);
  const build = await buildHost();
  if ("skip" in build) return { status: "skip", reason: build.skip, info, steps: [] };
  if (info.badDirective !== undefined) {
    throw new Error(`${opts.source}: bad directive # ${info.badDirective}`);
  }
  const setup = await hostSetup(build.bin, build.dir);
  const { facts, probe } = setup;
  const adaptation = opts.adaptation ?? setup.adaptation;
  const skipped = skipReason(adaptation, text);
  if (skipped !== null) return { status: "skip", reason: skipped, info, steps: [] };
  // A case that states its RAM needs a host with as much; the others map far less than either.
  const ram = info.ramBytes ?? 0;
  if (probe.memTotalKb * 1024 < ram) {
    const mib = (n: number) => `${Math.floor(n / 2 ** 20)} MiB`;
    return {
      status: "skip",
      reason: `the case assumes ${mib(ram)} of RAM, this host has ${mib(probe.memTotalKb * 1024)}`,
      info,
      steps: [],
    };
  }
  const tmpdir = await Deno.makeTempDir({ dir: build.dir, prefix: "run-" });
  const server = HostServer.start(build.bin, tmpdir);
  try {
    for (const req of adaptation.setup) {
      const r = (await server.call(1, req))[0];
      if (r !== "= 0") throw new Error(`adapting the host subject: ${req} answered ${r}`);
    }
    const hello = (await server.call(1, "hello"))[0]?.split(" ") ?? [];
    const runFacts = { ...facts, ...adaptation.facts, vdso: hello[4] ?? "0" };
    const why = unmet(info.requires, runFacts);
    if (why !== null) return { status: "skip", reason: why, info, steps: [] };
    const session = new Session({ config: machineConfig(opts.config, adaptation, info) });
    if (adaptation.memlock !== undefined) {
      // The host's soft RLIMIT_MEMLOCK, as soft and hard limit.
      const v = adaptation.memlock === Infinity
        ? resource.RLIM_INFINITY
        : BigInt(adaptation.memlock);
      setRlimit(session.machine.init, resource.RLIMIT_MEMLOCK, [v, v]);
    }
    // mmhost's subject runs with RLIMIT_CORE unlimited: where the host
    // writes the dump, mmlab's process does too (lib/proc/coredump.ts).
    if (facts.core === "y") {
      const inf = resource.RLIM_INFINITY;
      setRlimit(session.machine.init, resource.RLIMIT_CORE, [inf, inf]);
    }
    const host = new Session({ backend: new HostBackend({ server, tmpdir }) });
    await prelude(session, server, info, hello);
    const steps = await runLines(text, session, host, opts, facts);
    const bad = steps.findIndex((s) => s.malformed !== undefined);
    if (bad >= 0) return { status: "invalid", info, steps, first: bad };
    const differing = steps.flatMap((s, i) => s.compared && !same(s.mmlab, s.host) ? [i] : []);
    const r: DiffResult = { status: differing.length === 0 ? "same" : "differ", info, steps };
    if (differing.length > 0) {
      r.first = differing[0];
      r.differing = differing;
    }
    return r;
  } finally {
    await server.close();
    await Deno.remove(tmpdir, { recursive: true }).catch(() => {});
  }
}

/**
 * mmlab's machine for a case: the adaptation's knobs and sysctls, then the
 * caller's own (a `--policy` given on the command line wins), and the RAM
 * size the case states.
 */
export function machineConfig(
  base: MachineConfig | undefined,
  adaptation: Adaptation,
  info: CaseInfo,
): MachineConfig {
  const c: MachineConfig = { ...base };
  c.policies = { ...adaptation.config.policies, ...base?.policies };
  c.sysctl = { ...adaptation.config.sysctl, ...base?.sysctl };
  if (info.ramBytes !== undefined) c.ramBytes = info.ramBytes;
  if (adaptation.config.preset !== undefined && base?.preset === undefined) {
    c.preset = adaptation.config.preset;
  }
  if (adaptation.config.root !== undefined && base?.root === undefined) {
    c.root = adaptation.config.root;
  }
  return c;
}

/**
 * Error kinds that mean the line is wrong, not the machine: bad syntax, an
 * unknown name, a misused command, an internal error. ("process", a dead
 * or unknown target process, is a result both sides must agree on.)
 */
const MALFORMED: ReadonlySet<ReplErrorKind> = new Set(["syntax", "name", "usage", "internal"]);

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function prelude(
  session: Session,
  server: HostServer,
  info: CaseInfo,
  hello: string[],
): Promise<void> {
  const base = parseInt(hello[1] ?? "0", 16);
  if (base !== MMAP_BASE) {
    throw new Error(
      `the host's mmap_base is 0x${base.toString(16)}, not 0x${MMAP_BASE.toString(16)}: ` +
        "is ASLR forced on, or RLIMIT_STACK not settable?",
    );
  }
  const num = (lines: string[]) => Number(BigInt.asIntN(64, BigInt("0x" + lines[0].slice(2))));
  const hostCount = num(
    await server.call(1, `reserve ${WINDOW_HI.toString(16)} ${MMAP_BASE.toString(16)}`),
  );
  if (hostCount < 0) throw new Error(`reserving the window on the host failed: ${hostCount}`);
  const p = session.machine.init;
  // mmhost's image ends where mmlab's program's does (build.ts), and the
  // subject grew its heap to mmlab's break: brk compares.
  const hostBrk = num(await server.call(1, "sys c 0 0 0 0 0 0"));
  if (hostBrk !== p.mm.brk) {
    throw new Error(
      `the host subject's break is 0x${hostBrk.toString(16)}, mmlab's 0x${p.mm.brk.toString(16)}`,
    );
  }
  const mmCount = reserveMmlab(p);
  if (mmCount < 0) throw new Error(`reserving the window in mmlab failed: ${mmCount}`);
  const target = info.mapCount ?? Math.max(hostCount, mmCount);
  const hostNow = num(await server.call(1, `pad ${target.toString(16)} ${WINDOW_HI.toString(16)}`));
  const mmNow = padMmlab(p, target);
  if (hostNow !== target || mmNow !== target) {
    throw new Error(
      `could not bring both sides to ${target} VMAs (host ${hostNow}, mmlab ${mmNow}; ` +
        `they start with ${hostCount} and ${mmCount})`,
    );
  }
}

async function runLines(
  text: string,
  session: Session,
  host: Session,
  opts: RunOptions,
  facts: HostFacts,
): Promise<Step[]> {
  const steps: Step[] = [];
  const labels = { mmlab: new Labeller(), host: new Labeller() };
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let n = 0;
  // Set once mmlab's main thread waits on a userfault: the host stops there.
  let hostStopped = false;
  for (const raw of lines) {
    n++;
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "" || line.trimStart().startsWith("#")) {
      steps.push({ lineNo: n, echo: line, mmlab: [], host: [], compared: true });
      continue;
    }
    const echo = session.prompt() + line;
    const where = { file: opts.source, line: n };
    const m = await session.run(line, where);
    // A main thread that waits on a userfault would hang mmhost, whose main
    // thread reads the channel (nothing could serve the fault): the host
    // runs neither this line nor any after it, and says so.
    const stopping = !hostStopped && mainThreadWaits(session, m.output);
    let h: { output: string[]; error?: typeof m.error; quit?: boolean };
    if (hostStopped || stopping) {
      h = {
        output: [
          notRunLine(
            stopping
              ? MAIN_THREAD_WAIT
              : "the rest of the case, after a main thread's userfault wait,",
          ),
        ],
      };
      hostStopped = true;
    } else {
      // The calls mmlab woke at this line are the ones the host must report here too.
      if (host.backend instanceof HostBackend) host.backend.expectWakes(wokenTids(m.output));
      h = await host.run(line, where);
    }
    let mm = m.output;
    let ho = h.output;
    if (isWholeView(line)) mm = restrict(mm, WINDOW_LO, WINDOW_HI);
    const norm = (out: string[], lab: Labeller) =>
      out.map((l) => {
        let x = lab.line(l);
        if (facts.core !== "y") x = x.replace(" (core dumped)", "");
        // When MADV_FREE pages show up depends on the host's per-CPU LRU batches.
        if (x.startsWith("LazyFree:")) x = "LazyFree:       (not compared)";
        // mmlab's clock counts its calls' costs too.
        if (/^\(\d+\.\d{9}s passed\)$/.test(x)) x = "(time passed: not compared)";
        // The host sees that a thread blocked, not where (mmlab names
        // handle_userfault and the address): that the thread waits compares.
        x = x.replace(UFFD_WAIT, "<unfinished ...> (thread $1 is blocked: where is not compared)");
        return x;
      });
    mm = norm(mm, labels.mmlab);
    ho = norm(ho, labels.host);
    const compared = !ho.some((l) => l.startsWith(HOST_NOTE));
    const step: Step = { lineNo: n, echo, mmlab: mm, host: ho, compared };
    const err = [m.error, h.error].find((e) => e !== undefined && MALFORMED.has(e.kind));
    if (err !== undefined) step.malformed = formatError(err, where);
    steps.push(step);
    if (m.quit || h.quit) break;
  }
  return steps;
}

/** What the host leaves out when mmlab's main thread waits on a userfault. */
export const MAIN_THREAD_WAIT =
  "the rest of the case, from this main thread's wait on a userfault (mmhost's main thread " +
  "reads the channel: nothing could serve the fault),";

/**
 * Whether mmlab's output reports a process's main thread (tid = pid)
 * waiting on a userfault or on a blocking read of a uffd (`<unfinished
 * ...> (thread T waits in handle_userfault ...)`, `sleeps in ...`).
 */
export function mainThreadWaits(session: Session, output: readonly string[]): boolean {
  for (const l of output) {
    const w = UFFD_WAIT.exec(l);
    if (w !== null && session.machine.procs.has(Number(w[1]))) return true;
  }
  return false;
}

/** A thread's wait as mmlab (a userfault, a uffd read) or the host (blocked) reports it. */
const UFFD_WAIT =
  /^<unfinished \.\.\.> \(thread (\d+) (waits in handle_userfault at 0x[0-9a-f]+|sleeps in (?:handle_userfault|userfaultfd_ctx_read)|is blocked on the host)\)$/;

/** The threads whose blocked call a line's output reports resumed (`[pid T] <... NAME resumed>`). */
export function wokenTids(output: readonly string[]): number[] {
  const out: number[] = [];
  for (const l of output) {
    const m = /^\[pid (\d+)\] <\.\.\. \w+ resumed>/.exec(l);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

/** The lines of a step, as a transcript shows them. */
function stepLines(s: Step, side: "mmlab" | "host"): string[] {
  return [s.echo, ...s[side]];
}

/** A line diff (longest common subsequence): " x" both, "-x" only a, "+x" only b. */
export function lineDiff(a: readonly string[], b: readonly string[]): string[] {
  const n = a.length, m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(" " + a[i]);
      i++;
      j++;
    } else if (j >= m || (i < n && lcs[i + 1][j] >= lcs[i][j + 1])) out.push("-" + a[i++]);
    else out.push("+" + b[j++]);
  }
  return out;
}

/**
 * The differences, for people: the first with a few lines of context, then
 * every further differing line (up to `more`, then their count):
 *
 * ```
 * FILE:LINE: mmlab and the host kernel differ
 *     [1] mm> ...            (context, as both printed it)
 *   - = -1 EINVAL (...)      (host kernel)
 *   + = 0                    (mmlab)
 *   (- the host kernel, + mmlab)
 * FILE:LINE2: also differs
 *     [1] mm> ...
 *   - ...
 * ```
 *
 * An invalid case (a malformed line) reads `FILE:LINE: ERROR` and why that fails.
 */
export function describeDifference(
  r: DiffResult,
  source: string,
  context = 4,
  more = 10,
): string[] {
  if (r.first === undefined) return [];
  if (r.status === "invalid") {
    const s = r.steps[r.first];
    return [
      `${source}:${s.lineNo}: the line does not run, so nothing is compared there:`,
      `    ${s.echo}`,
      `    ${s.malformed}`,
      "  (a command file must run on both sides: fix the line)",
    ];
  }
  const s = r.steps[r.first];
  // The steps before, newest first, then reversed: unshift(...lines) would
  // spread a whole view's output as arguments.
  const chunks: string[][] = [];
  let got = 0;
  for (let i = r.first - 1; i >= 0 && got < context; i--) {
    const lines = stepLines(r.steps[i], "host");
    chunks.push(lines);
    got += lines.length;
  }
  const before: string[] = [];
  for (let c = chunks.length - 1; c >= 0; c--) pushAll(before, chunks[c]);
  const out = [`${source}:${s.lineNo}: mmlab and the host kernel differ`];
  for (const l of before.slice(-context)) out.push(`    ${l}`);
  out.push(`    ${s.echo}`);
  pushAll(out, stepDiff(s));
  out.push("  (- the host kernel, + mmlab)");
  const rest = (r.differing ?? [r.first]).slice(1);
  for (const i of rest.slice(0, more)) {
    const t = r.steps[i];
    out.push(`${source}:${t.lineNo}: also differs`, `    ${t.echo}`);
    pushAll(out, stepDiff(t));
  }
  if (rest.length > more) {
    const lines = rest.slice(more).map((i) => r.steps[i].lineNo);
    out.push(`${source}: ${lines.length} more lines differ: ${lines.join(", ")}`);
  }
  return out;
}

/** A step's output as a diff, common runs cut to `keep` lines around changes. */
function stepDiff(s: Step, keep = 2): string[] {
  const out: string[] = [];
  const d = lineDiff(s.host, s.mmlab);
  const near = (k: number) => {
    for (let x = Math.max(0, k - keep); x <= Math.min(d.length - 1, k + keep); x++) {
      if (d[x][0] !== " ") return true;
    }
    return false;
  };
  let skipped = false;
  d.forEach((l, k) => {
    if (l[0] !== " " || near(k)) {
      if (skipped) out.push("    ...");
      skipped = false;
      out.push(l[0] === " " ? `    ${l.slice(1)}` : `  ${l[0]} ${l.slice(1)}`);
    } else skipped = true;
  });
  if (skipped) out.push("    ...");
  return out;
}

/** The whole normalised transcript of one side. */
export function transcriptOf(r: DiffResult, side: "mmlab" | "host"): string[] {
  return r.steps.flatMap((s) => stepLines(s, side));
}
