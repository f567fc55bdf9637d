/**
 * Random operation sequences over a small address window, with every
 * machine invariant checked after each step (lib/check/invariants.ts).
 */
import fc from "fast-check";
import assert from "node:assert/strict";
import { checkInvariants, cpuRead, cpuWrite, Machine, type Process, syscall } from "../../mod.ts";
import {
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";

const BASE = 0x7f0000000000n;
const PAGES = 16;

type Op =
  | { k: "mmap"; page: number; n: number; prot: number; shared: boolean; fixed: boolean }
  | { k: "munmap"; page: number; n: number }
  | { k: "mprotect"; page: number; n: number; prot: number }
  | { k: "write"; page: number; v: number }
  | { k: "read"; page: number }
  | { k: "fork" }
  | { k: "exit" }
  | { k: "switch"; i: number }
  | { k: "brk"; d: number };

const page = fc.integer({ min: 0, max: PAGES - 1 });
const npages = fc.integer({ min: 1, max: 6 });
const prot = fc.constantFrom(
  0,
  PROT_READ,
  PROT_READ | PROT_WRITE,
  PROT_WRITE,
  PROT_READ | PROT_EXEC,
);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant("mmap" as const),
      page,
      n: npages,
      prot,
      shared: fc.boolean(),
      fixed: fc.boolean(),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ k: fc.constant("munmap" as const), page, n: npages }), weight: 1 },
  {
    arbitrary: fc.record({ k: fc.constant("mprotect" as const), page, n: npages, prot }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      k: fc.constant("write" as const),
      page,
      v: fc.integer({ min: 0, max: 255 }),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ k: fc.constant("read" as const), page }), weight: 2 },
  { arbitrary: fc.record({ k: fc.constant("fork" as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("exit" as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("switch" as const), i: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({ k: fc.constant("brk" as const), d: fc.integer({ min: -6, max: 12 }) }),
    weight: 1,
  },
);

/** Successful operations per kind, over the whole run: proof the generator reaches real work. */
const succeeded: Record<string, number> = {};
function count(kind: string, ok: boolean) {
  if (ok) succeeded[kind] = (succeeded[kind] ?? 0) + 1;
}

function run(m: Machine, cur: Process, o: Op): Process {
  const at = (pg: number) => BASE + BigInt(pg) * 0x1000n;
  switch (o.k) {
    case "mmap": {
      const flags = (o.shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS |
        (o.fixed ? MAP_FIXED : 0);
      const r = syscall(cur, "mmap", [
        o.fixed ? at(o.page) : 0n,
        BigInt(o.n * 4096),
        o.prot,
        flags,
        -1,
        0,
      ]);
      count(o.shared ? "mmap-shared" : "mmap-private", r.ret > 0);
      break;
    }
    case "munmap":
      count("munmap", syscall(cur, "munmap", [at(o.page), BigInt(o.n * 4096)]).ret === 0);
      break;
    case "mprotect":
      count(
        "mprotect",
        syscall(cur, "mprotect", [at(o.page), BigInt(o.n * 4096), o.prot]).ret === 0,
      );
      break;
    case "write":
      count("write", cpuWrite(cur, at(o.page) + 8n, new Uint8Array([o.v])).sig === undefined);
      break;
    case "read":
      count("read", cpuRead(cur, at(o.page), 1).sig === undefined);
      break;
    case "fork":
      if (m.procs.size < 6) count("fork", syscall(cur, "fork", []).ret > 1);
      break;
    case "exit":
      if (cur.pid !== 1) {
        syscall(cur, "exit", [0]);
        count("exit", true);
        return m.init;
      }
      break;
    case "brk": {
      const want = cur.mm.brk + o.d * 2048;
      count("brk", syscall(cur, "brk", [want]).ret === want && o.d !== 0);
      break;
    }
    case "switch": {
      const live = [...m.procs.values()].filter((p) => p.alive);
      return live[o.i % live.length];
    }
  }
  return cur;
}

Deno.test("invariants hold after every step of random mmap/munmap/mprotect/fork/access sequences", () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 60, size: "max" }), (ops) => {
      const m = new Machine({ ramBytes: 64 << 20 });
      const free0 = m.frames.freeCount;
      let cur = m.init;
      // Start from a mapped window so that most operations land on memory.
      syscall(cur, "mmap", [
        BASE,
        BigInt(PAGES * 4096),
        PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
        -1,
        0,
      ]);
      for (const [i, o] of ops.entries()) {
        cur = run(m, cur, o);
        const errs = checkInvariants(m);
        assert.deepEqual(errs, [], `after step ${i} ${JSON.stringify(o)}`);
      }
      // Everything the processes mapped goes back when they exit.
      for (const p of [...m.procs.values()].reverse()) if (p.alive) syscall(p, "exit", [0]);
      assert.equal(m.frames.freeCount, free0, "frames leaked after every process exited");
    }),
    { numRuns: 300 },
  );
  for (
    const k of [
      "mmap-shared",
      "mmap-private",
      "munmap",
      "mprotect",
      "write",
      "read",
      "fork",
      "exit",
      "brk",
    ]
  ) {
    assert.ok(
      (succeeded[k] ?? 0) > 0,
      `no successful ${k} in any run: ${JSON.stringify(succeeded)}`,
    );
  }
});
