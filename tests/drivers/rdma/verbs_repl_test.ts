/** The verbs in the REPL: results as C returns them, a blocked ibv_get_async_event woken by device loss. */
import assert from "node:assert/strict";
import { Session } from "../../../repl/session.ts";
import { checkInvariants } from "../../../mod.ts";
import { injectFault } from "../../../lib/drivers/core/fault.ts";

async function run(s: Session, line: string): Promise<string[]> {
  const r = await s.run(line);
  assert.equal(r.error, undefined, `${line}\n${r.output.join("\n")}`);
  return r.output;
}

const SETUP = [
  'ctx = ibv_open_device("mlx5_1")',
  "pd = ibv_alloc_pd(ctx)",
  "buf = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
  "mr = ibv_reg_mr(pd, buf, 16K, IBV_ACCESS_LOCAL_WRITE)",
  "cq = ibv_create_cq(ctx, 15)",
  "qp = ibv_create_qp(pd, cq, cq)",
];

Deno.test("verbs: open prints the syscalls libibverbs makes, then the struct pointer", async () => {
  const s = new Session();
  const out = await run(s, SETUP[0]);
  assert.deepEqual(out.slice(0, 2), [
    'openat(AT_FDCWD, "/dev/infiniband/uverbs1", O_RDWR|O_CLOEXEC) = 3',
    "mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 3, 0) = 0x7ffff7fbf000",
  ]);
  assert.match(out[2], /^= 0x5555555602a0 \{cmd_fd=3, async_fd=4\}$/);
  assert.deepEqual(await run(s, 'ibv_open_device("mlx5_7")'), [
    "= NULL errno=ENODEV (No such device)",
  ]);
});

Deno.test("verbs: a thread blocked in ibv_get_async_event wakes with DEVICE_FATAL at device loss", async () => {
  const s = new Session();
  for (const l of SETUP) await run(s, l);
  await run(s, "t = pthread_create()");
  const blocked = await run(s, "@t ibv_get_async_event(ctx)");
  assert.deepEqual(blocked, ["<unfinished ...> (thread 2 sleeps in ib_uverbs_event_read)"]);
  const m = s.machine;
  const before = m.dmesg.lines.length;
  assert.ok("ok" in injectFault(m, "hot-unplug", "0000:03:00.1"));
  const after = await run(s, "ibv_post_send(qp, mr, 64)");
  // The post still "works" (absorbed by the dummy page); the wake-up, made
  // outside any command here, prints after the next command's result.
  assert.deepEqual(after, [
    "= 0",
    "[pid 2] <... ibv_get_async_event resumed> = 0 {event_type=IBV_EVENT_DEVICE_FATAL, element=0}",
  ]);
  assert.deepEqual(await run(s, "ibv_alloc_pd(ctx)"), ["= NULL errno=EIO (Input/output error)"]);
  assert.deepEqual(await run(s, "ibv_dereg_mr(mr)"), ["= 0"]);
  // pciehp's lines only: the RDMA side is silent.
  assert.ok(m.dmesg.lines.slice(before).every((l) => /pciehp/.test(l.text)));
  assert.ok(!m.dmesg.lines.some((l) => /WARNING|BUG/.test(l.text)));
  assert.deepEqual(checkInvariants(m), []);
});

Deno.test("verbs: under sigbus the doorbell store raises SIGBUS and the post never returns", async () => {
  const s = new Session();
  for (const l of SETUP) await run(s, l);
  await run(s, "policy rdma.onDisassociate sigbus");
  injectFault(s.machine, "hot-unplug", "0000:03:00.1");
  const out = await run(s, "ibv_post_send(qp, mr, 64)");
  assert.equal(out.length, 2);
  assert.match(
    out[0],
    /^--- SIGBUS \{si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbf800\} ---$/,
  );
  assert.equal(out[1], "= ? (the store to the doorbell page faulted)");
});

Deno.test("verbs: a pointer that is no verbs object is a usage error, not a crash", async () => {
  const s = new Session();
  await run(s, SETUP[0]);
  const r = await s.run("ibv_alloc_pd(12)");
  assert.match(r.error?.message ?? "", /0xc is no verbs object of process 1/);
  const r2 = await s.run("ibv_dereg_mr(ctx)");
  assert.match(r2.error?.message ?? "", /is a struct ibv_context, not ibv_mr/);
});

Deno.test("device-unbind of an mlx5 function in use: disassociation, DEVICE_FATAL, bind brings mlx5_1 back", async () => {
  const s = new Session();
  for (const l of SETUP) await run(s, l);
  await run(s, "t = pthread_create()");
  await run(s, "@t ibv_get_async_event(ctx)");
  const out = await run(s, "device-unbind 03:00.1");
  assert.ok(
    out.some((l) =>
      l.includes("<... ibv_get_async_event resumed> = 0 {event_type=IBV_EVENT_DEVICE_FATAL")
    ),
    out.join("\n"),
  );
  assert.equal(s.machine.rdma.find("mlx5_1"), undefined);
  await run(s, "device-bind 03:00.1 mlx5_core");
  assert.equal(s.machine.rdma.find("mlx5_1")?.fn.bdf, "0000:03:00.1");
  assert.deepEqual(checkInvariants(s.machine), []);
});

Deno.test("device-unbind under policy block sleeps in ib_uverbs_remove_one until the last file goes", async () => {
  const s = new Session();
  await run(s, "policy rdma.onDisassociate block");
  for (const l of SETUP) await run(s, l);
  await run(s, "t = pthread_create()");
  const out = await run(s, "@t device-unbind 03:00.1");
  assert.match(out.at(-1)!, /<unfinished \.\.\.>/);
  assert.ok(s.machine.task(2)?.wchan !== null);
  const close = await run(s, "ibv_close_device(ctx)");
  assert.ok(close.some((l) => /resumed> = \d+/.test(l)), close.join("\n"));
  assert.equal(s.machine.rdma.find("mlx5_1"), undefined);
  assert.deepEqual(checkInvariants(s.machine), []);
});

Deno.test("hot-unplug of the PF takes its VF too: both devices lose their files' objects", async () => {
  const s = new Session();
  for (const l of SETUP) await run(s, l);
  await run(s, 'a = ibv_open_device("mlx5_0")');
  const r = injectFault(s.machine, "hot-unplug", "0000:03:00.0");
  assert.ok("ok" in r);
  assert.equal(s.machine.rdma.slots.filter((x) => x !== undefined).length, 0);
  assert.deepEqual(await run(s, "ibv_alloc_pd(a)"), ["= NULL errno=EIO (Input/output error)"]);
  assert.deepEqual(await run(s, "ibv_alloc_pd(ctx)"), ["= NULL errno=EIO (Input/output error)"]);
  assert.deepEqual(checkInvariants(s.machine), []);
});

Deno.test("aer on the VF: the error handler unloads and reloads mlx5_1", async () => {
  const s = new Session();
  for (const l of SETUP) await run(s, l);
  assert.ok("ok" in injectFault(s.machine, "aer", "0000:03:00.1"));
  assert.deepEqual(await run(s, "ibv_alloc_pd(ctx)"), ["= NULL errno=EIO (Input/output error)"]);
  await run(s, "ibv_close_device(ctx)");
  const again = await run(s, 'ibv_open_device("mlx5_1")');
  assert.match(again.at(-1)!, /^= 0x[0-9a-f]+ \{cmd_fd=3, async_fd=4\}$/);
  assert.deepEqual(checkInvariants(s.machine), []);
});
