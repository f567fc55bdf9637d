/**
 * explain: a dry run that changes nothing (state digest before == after)
 * and predicts what the access then does (property test over random
 * workloads: the predicted outcome class and signal match the access).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cpuExec,
  cpuRead,
  cpuWrite,
  explainAccess,
  type ExplainOutcome,
  Machine,
  mapsLines,
  type Process,
  syscall,
} from "../../mod.ts";
import {
  MADV_DONTNEED,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { SEGV_ACCERR, SEGV_MAPERR, SIGSEGV } from "../../lib/abi/signal.ts";

const B = 0x7f0000000000;
const PAGES = 16;

/** Everything an access could change: VMAs, PTEs, frames, counters, the clock. */
function digest(m: Machine): string {
  const parts: string[] = [`ns ${m.clock.ns}`, `free ${m.frames.freeCount}`];
  for (const p of m.procs.values()) {
    if (!p.alive) continue;
    parts.push(...mapsLines(p));
    for (let v = 0; v < PAGES + 2; v++) {
      const vpn = B / 4096 + v;
      parts.push(`${p.pid} ${vpn} ${p.mm.pt.bitsAt(vpn)} ${p.mm.pt.pfnAt(vpn)}`);
    }
    for (const v of p.mm.vmas) parts.push(`${v.start} anon_vma ${v.anonVma?.id ?? "-"}`);
  }
  let rc = 0, mc = 0;
  for (let i = 0; i < m.frames.nframes; i++) {
    rc += m.frames.refcount[i] * (i + 1);
    mc += m.frames.mapcount[i] * (i + 1);
  }
  parts.push(`rc ${rc} mc ${mc}`, JSON.stringify(m.vmstat));
  return parts.join("\n");
}

type Op =
  | { op: "mmap"; at: number; n: number; prot: number; shared: boolean }
  | { op: "mprotect"; at: number; n: number; prot: number }
  | { op: "munmap"; at: number; n: number }
  | { op: "touch"; at: number; write: boolean }
  | { op: "dontneed"; at: number; n: number }
  | { op: "fork" };

const page = fc.integer({ min: 0, max: PAGES - 1 });
const count = fc.integer({ min: 1, max: 4 });
const prot = fc.constantFrom(0, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("mmap" as const), at: page, n: count, prot, shared: fc.boolean() }),
  fc.record({ op: fc.constant("mprotect" as const), at: page, n: count, prot }),
  fc.record({ op: fc.constant("munmap" as const), at: page, n: count }),
  fc.record({ op: fc.constant("touch" as const), at: page, write: fc.boolean() }),
  fc.record({ op: fc.constant("dontneed" as const), at: page, n: count }),
  fc.record({ op: fc.constant("fork" as const) }),
);

function run(m: Machine, p: Process, o: Op): void {
  const a = B;
  switch (o.op) {
    case "mmap":
      syscall(p, "mmap", [
        a + o.at * 4096,
        o.n * 4096,
        o.prot,
        (o.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED,
        -1,
        0,
      ]);
      break;
    case "mprotect":
      syscall(p, "mprotect", [a + o.at * 4096, o.n * 4096, o.prot]);
      break;
    case "munmap":
      syscall(p, "munmap", [a + o.at * 4096, o.n * 4096]);
      break;
    case "dontneed":
      syscall(p, "madvise", [a + o.at * 4096, o.n * 4096, MADV_DONTNEED]);
      break;
    case "touch":
      if (o.write) cpuWrite(p, a + o.at * 4096, new Uint8Array([1]));
      else cpuRead(p, a + o.at * 4096, 1);
      break;
    case "fork":
      if (m.procs.size < 4) syscall(p, "fork", []);
      break;
  }
}

/** What the access did, in explain's classes, from the PTE before and after. */
function observed(
  m: Machine,
  p: Process,
  addr: number,
  kind: "read" | "write" | "exec",
): { outcome: ExplainOutcome | "signal"; sig: string | null } {
  const vpn = addr / 4096;
  const before = { bits: p.mm.pt.bitsAt(vpn), pfn: p.mm.pt.pfnAt(vpn) };
  const r = kind === "read"
    ? cpuRead(p, addr, 1)
    : kind === "write"
    ? cpuWrite(p, addr, new Uint8Array([7]))
    : cpuExec(p, addr);
  if (r.sig !== undefined) {
    return { outcome: "signal", sig: `${r.sig.signo}/${r.sig.code}/${r.sig.addr}` };
  }
  const pfn = p.mm.pt.pfnAt(vpn);
  if (before.bits === 0) {
    if (!p.mm.vmas.lookup(addr)!.isAnonymous) return { outcome: "file-fault", sig: null };
    return { outcome: pfn === m.frames.zeroPfn ? "zero-page" : "new-page", sig: null };
  }
  return { outcome: pfn === before.pfn ? "hit" : "cow-copy", sig: null };
}

Deno.test("explain: changes nothing (state digest before and after)", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [
    B,
    8 * 4096,
    PROT_READ | PROT_WRITE,
    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
    -1,
    0,
  ]);
  cpuWrite(p, B, new Uint8Array([1]));
  cpuRead(p, B + 4096, 1);
  syscall(p, "fork", []);
  syscall(p, "mprotect", [B + 2 * 4096, 4096, PROT_READ]);
  const d0 = digest(m);
  const outcomes = new Set<string>();
  for (let i = 0; i < PAGES + 2; i++) {
    for (const k of ["read", "write", "exec"] as const) {
      outcomes.add(explainAccess(p, B + i * 4096 + 5, k).outcome);
    }
  }
  assert.equal(digest(m), d0);
  // The walk met the interesting cases (a test that cannot fail is a defect).
  for (const o of ["hit", "zero-page", "new-page", "cow-copy", "segv"]) {
    assert.ok(outcomes.has(o), o);
  }
});

Deno.test("explain: names the VMA, PTE, frame and signal", () => {
  const m = new Machine();
  const p = m.init;
  syscall(p, "mmap", [B, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0]);
  cpuRead(p, B, 1);
  const e = explainAccess(p, B + 8, "write");
  assert.equal(e.vma?.perms, "r--p");
  assert.deepEqual(e.vma?.vmFlags, ["rd", "mr", "mw", "me"]);
  assert.equal(e.pte?.present, true);
  assert.equal(e.pte?.special, true);
  assert.equal(e.frame !== null && "kind" in e.frame ? e.frame.kind : "", "zero");
  assert.equal(e.outcome, "segv");
  assert.deepEqual(e.signal, { signo: SIGSEGV, name: "SIGSEGV", code: "SEGV_ACCERR", addr: B + 8 });
  const none = explainAccess(p, B + 4096 * 3, "read");
  assert.equal(none.signal?.code, "SEGV_MAPERR");
  assert.equal(none.signal?.signo, SIGSEGV);
});

Deno.test("explain: the prediction matches the access on random workloads", () => {
  fc.assert(
    fc.property(
      fc.array(opArb, { maxLength: 25 }),
      fc.array(
        fc.record({
          at: fc.integer({ min: 0, max: PAGES + 1 }),
          k: fc.constantFrom("read", "write", "exec") as fc.Arbitrary<"read" | "write" | "exec">,
        }),
        { minLength: 1, maxLength: 8 },
      ),
      (ops, probes) => {
        const m = new Machine();
        const p = m.init;
        for (const o of ops) run(m, p, o);
        for (const { at, k } of probes) {
          const addr = B + at * 4096 + 16;
          const e = explainAccess(p, addr, k);
          const free = m.frames.refcount.slice();
          const o = observed(m, p, addr, k);
          if (!p.alive) return;
          const sig = e.signal === null
            ? null
            : `${e.signal.signo}/${
              e.signal.code === "SEGV_MAPERR"
                ? SEGV_MAPERR
                : e.signal.code === "SEGV_ACCERR"
                ? SEGV_ACCERR
                : 2
            }/${e.signal.addr}`;
          assert.equal(o.sig, sig, `${k} at ${addr.toString(16)}: ${e.path.join("; ")}`);
          if (sig !== null) continue;
          // cow-reuse and wp-shared keep the pfn: the access then hits the same page.
          const want = e.outcome === "cow-reuse" || e.outcome === "wp-shared" ? "hit" : e.outcome;
          assert.equal(o.outcome, want, `${k} at ${addr.toString(16)}: ${e.path.join("; ")}`);
          // The pfn the access then uses: the one predicted, or a page that was free.
          const pfn = p.mm.pt.pfnAt(Math.floor(addr / 4096));
          if (typeof e.maps === "number") assert.equal(pfn, e.maps, e.path.join("; "));
          else if (e.maps === "new") assert.equal(free[pfn], 0, e.path.join("; "));
        }
      },
    ),
    { numRuns: 150, seed: 13 },
  );
});
