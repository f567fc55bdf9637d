/**
 * Random sequences over pins and DMA: pin/get/unpin of user pages, O_DIRECT
 * reads and writes of /dev/nvme0n1 from threads (completing later on the
 * virtual clock), CPU writes, fork (under each fork.pinnedPages and
 * dio.pinType), munmap, a process exiting with I/O in flight. After every
 * step `check` must hold: every reference a mapping, the page cache, a pin
 * (the 1024 bias) or a GUP get; nr_foll_pin_acquired - released = pins
 * held. At the end, with every I/O done and every pin given back, no frame
 * is left referenced by GUP.
 */
import fc from "fast-check";
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuWrite,
  Machine,
  type Process,
  PTHREAD_CLONE_FLAGS,
  syscall,
  syscallIn,
} from "../../mod.ts";
import { getUserPages, type GupPage, pinUserPages, releaseUserPage } from "../../lib/mm/gup.ts";
import { O_DIRECT, O_RDWR } from "../../lib/abi/mman.ts";
import { NVME_LATENCY_NS } from "../../lib/drivers/nvme/nvme.ts";

const BASE = 0x7f0000000000;
const PAGES = 8;

type Op =
  | { k: "pin"; pg: number; n: number; get: boolean }
  | { k: "unpin"; i: number }
  | { k: "dio"; pg: number; write: boolean; n: number }
  | { k: "poke"; pg: number }
  | { k: "fork" }
  | { k: "munmap"; pg: number }
  | { k: "pass"; us: number }
  | { k: "exit" }
  | { k: "switch"; i: number };

const pg = fc.nat({ max: PAGES - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      k: fc.constant("pin" as const),
      pg,
      n: fc.integer({ min: 1, max: 3 }),
      get: fc.boolean(),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ k: fc.constant("unpin" as const), i: fc.nat({ max: 20 }) }), weight: 2 },
  {
    arbitrary: fc.record({
      k: fc.constant("dio" as const),
      pg,
      write: fc.boolean(),
      n: fc.integer({ min: 1, max: 8 }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ k: fc.constant("poke" as const), pg }), weight: 3 },
  { arbitrary: fc.record({ k: fc.constant("fork" as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("munmap" as const), pg }), weight: 1 },
  {
    arbitrary: fc.record({ k: fc.constant("pass" as const), us: fc.integer({ min: 0, max: 300 }) }),
    weight: 2,
  },
  { arbitrary: fc.record({ k: fc.constant("exit" as const) }), weight: 1 },
  { arbitrary: fc.record({ k: fc.constant("switch" as const), i: fc.nat({ max: 9 }) }), weight: 1 },
);

const policies = fc.record({
  "fork.pinnedPages": fc.constantFrom("cow-steal", "early-copy"),
  "dio.pinType": fc.constantFrom("get", "pin"),
  "gup.pinModel": fc.constantFrom("get", "pin"),
});

interface World {
  m: Machine;
  cur: Process;
  held: Map<Process, GupPage[]>;
}

function setup(p: Process): void {
  syscall(p, "mmap", [BASE, PAGES * 4096, 3, 0x22 | 0x10, -1, 0]);
}

function step(w: World, o: Op): void {
  const { m } = w;
  const p = w.cur;
  if (!p.alive) return;
  const addr = "pg" in o ? BASE + o.pg * 4096 : BASE;
  switch (o.k) {
    case "pin": {
      const r = o.get
        ? getUserPages(p.mm, addr, o.n, 1)
        : pinUserPages(p.mm, addr, o.n, 1 << 8 /* FOLL_LONGTERM */);
      const h = w.held.get(p) ?? [];
      h.push(...r.pages);
      w.held.set(p, h);
      return;
    }
    case "unpin": {
      const h = w.held.get(p) ?? [];
      if (h.length === 0) return;
      releaseUserPage(p.mm, h.splice(o.i % h.length, 1)[0]);
      return;
    }
    case "dio": {
      // A new thread does the I/O, so the process goes on while it is in flight.
      const tid = syscall(p, "clone", [PTHREAD_CLONE_FLAGS]).ret;
      const t = m.task(tid);
      if (t === undefined) return;
      const fd = syscallIn(t, "open", ["/dev/nvme0n1", O_RDWR | O_DIRECT]).ret;
      syscallIn(t, o.write ? "pwrite" : "pread", [fd, addr, o.n * 512, 0]);
      return;
    }
    case "poke":
      cpuWrite(p, addr + 100, new Uint8Array([o.pg + 1]));
      return;
    case "fork": {
      const c = syscall(p, "fork", []).ret;
      if (c > 0) w.cur = m.process(c)!;
      return;
    }
    case "munmap":
      syscall(p, "munmap", [addr, 4096]);
      return;
    case "pass":
      m.sched.advanceTo(m.clock.ns + o.us * 1000);
      return;
    case "exit": {
      // Keep one process going.
      if ([...m.procs.values()].filter((q) => q.alive).length < 2) return;
      // What the process still holds goes back at exit (as a closing driver fd would).
      for (const pg of w.held.get(p) ?? []) releaseUserPage(p.mm, pg);
      w.held.delete(p);
      syscall(p, "exit_group", [0]);
      return;
    }
    case "switch": {
      const live = [...m.procs.values()].filter((q) => q.alive);
      if (live.length > 0) w.cur = live[o.i % live.length];
      return;
    }
  }
}

Deno.test("property: pins, gets and O_DIRECT I/O keep every reference accounted for", () => {
  fc.assert(
    fc.property(
      policies,
      fc.array(op, { minLength: 5, maxLength: 40, size: "max" }),
      (pol, ops) => {
        const m = new Machine({ ramBytes: 16 << 20, policies: pol });
        setup(m.init);
        const w: World = { m, cur: m.init, held: new Map() };
        for (const o of ops) {
          step(w, o);
          assert.deepEqual(checkInvariants(m), [], JSON.stringify(o));
        }
        // Everything finishes; every pin goes back.
        m.sched.advanceTo(m.clock.ns + 100 * NVME_LATENCY_NS);
        for (const [p, h] of w.held) for (const pg of h) releaseUserPage(p.mm, pg);
        assert.equal(m.nvme.queue.length, 0);
        assert.equal(m.frames.gupGets.size, 0, "no GUP reference left");
        assert.equal(m.vmstat.follPinAcquired, m.vmstat.follPinReleased);
        assert.deepEqual(checkInvariants(m), []);
      },
    ),
    { numRuns: 60, seed: 20261202 },
  );
});
