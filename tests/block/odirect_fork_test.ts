/**
 * Seed 004 without the transcript: an O_DIRECT read in flight, a fork, the
 * parent's write to the same page; where the device's data lands under
 * each design (fork.pinnedPages x dio.pinType, MADV_DONTFORK), devices.md
 * §1.5 and the errata (the loss persists on 5.9-6.4).
 */
import assert from "node:assert/strict";
import {
  checkInvariants,
  cpuRead,
  cpuWrite,
  Machine,
  PTHREAD_CLONE_FLAGS,
  syscall,
  syscallIn,
} from "../../mod.ts";
import {
  MADV_DONTFORK,
  MAP_ANONYMOUS,
  MAP_FIXED,
  MAP_PRIVATE,
  O_DIRECT,
  O_RDWR,
  PROT_READ,
  PROT_WRITE,
} from "../../lib/abi/mman.ts";
import { NVME_LATENCY_NS } from "../../lib/drivers/nvme/nvme.ts";

const B = 0x7f0000000000;
const D = 0x44;

const DESIGNS = [
  { name: "cow-steal + get (<= 5.8)", fork: "cow-steal", dio: "get", dontfork: false, lost: true },
  {
    name: "cow-steal + get + MADV_DONTFORK",
    fork: "cow-steal",
    dio: "get",
    dontfork: true,
    lost: false,
  },
  {
    name: "early-copy + get (5.9-6.4)",
    fork: "early-copy",
    dio: "get",
    dontfork: false,
    lost: true,
  },
  { name: "early-copy + pin (6.5+)", fork: "early-copy", dio: "pin", dontfork: false, lost: false },
  { name: "cow-steal + pin", fork: "cow-steal", dio: "pin", dontfork: false, lost: true },
] as const;

for (const d of DESIGNS) {
  Deno.test(`O_DIRECT vs fork: ${d.name} ${d.lost ? "loses" : "keeps"} the read`, () => {
    const m = new Machine({ policies: { "fork.pinnedPages": d.fork, "dio.pinType": d.dio } });
    const p = m.init;
    m.nvme.writeBytes(0, new Uint8Array(512).fill(D));
    syscall(p, "mmap", [
      B,
      4096,
      PROT_READ | PROT_WRITE,
      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
      -1,
      0,
    ]);
    cpuWrite(p, B, new Uint8Array(4096).fill(0x2e));
    if (d.dontfork) assert.equal(syscall(p, "madvise", [B, 4096, MADV_DONTFORK]).ret, 0);
    const t = m.task(syscall(p, "clone", [PTHREAD_CLONE_FLAGS]).ret)!;
    const fd = syscallIn(t, "open", ["/dev/nvme0n1", O_RDWR | O_DIRECT]).ret;
    assert.notEqual(syscallIn(t, "pread", [fd, B, 512, 0]).pending, undefined);
    const c = m.process(syscall(p, "fork", []).ret)!;
    cpuWrite(p, B + 2048, new TextEncoder().encode("parent"));
    m.sched.advanceTo(m.clock.ns + 2 * NVME_LATENCY_NS);
    const parent = cpuRead(p, B, 1).bytes![0];
    assert.equal(parent, d.lost ? 0x2e : D, "the parent's buffer");
    assert.equal(new TextDecoder().decode(cpuRead(p, B + 2048, 6).bytes!), "parent");
    if (!d.dontfork) {
      // The data went to the child's page, or the child kept the pre-read copy.
      assert.equal(cpuRead(c, B, 1).bytes![0], d.lost ? D : 0x2e, "the child's page");
    }
    assert.deepEqual(checkInvariants(m), []);
  });
}
