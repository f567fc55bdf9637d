/**
 * The values the JSON records carry: what the text shows, as data
 * (repl/json_result.ts). The text itself is unchanged.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

const MAP = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Runs lines that must succeed; returns the last one's output. */
async function run(s: Session, ...lines: string[]): Promise<string[]> {
  let out: string[] = [];
  for (const l of lines) {
    const r = await s.run(l);
    assert.equal(r.error, undefined, `${l}: ${r.output.join("\n")}`);
    out = r.output;
  }
  return out;
}

async function json(s: Session, line: string): Promise<Json> {
  return JSON.parse((await run(s, line)).join("\n"));
}

Deno.test("policy --json: each knob's value, choices and meaning; one knob adds its history", async () => {
  const s = new Session();
  const all = await json(s, "policy --json");
  const knob = all.results[0].data.find((k: Json) => k.name === "dax.truncateWithPin");
  assert.deepEqual(Object.keys(knob), ["name", "value", "choices", "meaning"]);
  assert.equal(knob.value, "block");
  assert.ok(knob.choices.includes("corrupt") && knob.choices.includes("redirect"));
  assert.match(knob.meaning, /truncate/);
  assert.equal(all.results[0].data.length, (await run(s, "policy")).length / 2);
  const one = await json(s, "policy dax.truncateWithPin --json");
  assert.deepEqual(one.results[0].data[0].history[0], { value: "corrupt", since: "2.6" });
  const set = await json(s, "policy dax.truncateWithPin redirect --json");
  assert.deepEqual(set.results, [{
    kind: "action",
    name: "policy",
    knob: "dax.truncateWithPin",
    value: "redirect",
    was: "block",
  }]);
  assert.deepEqual(set.output, ["dax.truncateWithPin = redirect"], "the text is as before");
});

Deno.test("pin_user_pages --json reports the pfns pages shows; unpin gives the same back", async () => {
  const s = new Session();
  await run(s, MAP, "poke(a, 1)");
  const pin = await json(s, "pin_user_pages(a, 2, FOLL_WRITE) --json");
  const rec = pin.results[0];
  assert.equal(rec.kind, "call");
  assert.equal(rec.ret, 2);
  assert.equal(rec.errno, null);
  const pages = await json(s, "pages a 8K --json");
  assert.deepEqual(
    rec.out.pages.map((p: Json) => [p.addr, p.pfn]),
    pages.map((p: Json) => [p.addr, p.pfn]),
  );
  assert.ok(rec.out.pages.every((p: Json) => p.pinned && p.ref === "pin"));
  const unpin = await json(s, "unpin_user_pages(a, 2) --json");
  assert.deepEqual(unpin.results[0].out.pages, rec.out.pages);
  // A failure: the errno by name, nothing taken.
  const bad = await json(s, "pin_user_pages(0x1000, 1, FOLL_WRITE) --json");
  assert.deepEqual([bad.results[0].ret, bad.results[0].errno], [-14, "EFAULT"]);
  assert.deepEqual(bad.results[0].out.pages, []);
});

Deno.test("hmm_range_fault --json: each slot's pfn and flag names, as its table", async () => {
  const s = new Session();
  await run(s, MAP, "poke(a, 1)");
  const r = await json(s, "hmm_range_fault(a, 3, HMM_PFN_REQ_FAULT) --json");
  const out = r.results[0].out;
  assert.equal(out.tries.length, 1);
  const pages = await json(s, "pages a 12K --json");
  assert.deepEqual(out.slots.map((x: Json) => x.pfn), pages.map((p: Json) => p.pfn));
  assert.deepEqual(out.slots[0].flags, ["HMM_PFN_VALID", "HMM_PFN_WRITE"]);
  // Each slot's line of the text names the same flags.
  const rows = r.output.filter((l: string) => l.startsWith("0x"));
  assert.deepEqual(
    rows.map((l: string) => l.split(/\s+/)[2]),
    out.slots.map((x: Json) => x.flags.join("|")),
  );
});

Deno.test("dmesg and iomem --json: the data the text is rendered from", async () => {
  const s = new Session();
  await run(
    s,
    "inject-fault iommu-fault 03:00.0",
    "sleep 1.5s",
    "inject-fault iommu-fault 05:00.0",
  );
  const text = await run(s, "dmesg");
  assert.equal(text.length, 2);
  assert.deepEqual(text, s.machine.dmesg.format(), "the text is the kernel log's own");
  const lines = await json(s, "dmesg --json");
  assert.deepEqual(lines.map((l: Json) => `[${l.time.padStart(12)}] ${l.text}`), text);
  assert.deepEqual(lines.map((l: Json) => [l.ns, l.time]), [[0, "0.000000"], [1.5e9, "1.500000"]]);
  // The fault's record carries the kernel line it logged.
  const f = await json(s, "inject-fault iommu-fault 06:00.0 --json");
  assert.match(f.results[0].dmesg[0].text, /^DMAR: .*\[06:00\.0\]/);
  const iomem = await run(s, "iomem");
  assert.deepEqual(iomem, s.machine.iomem.text());
  const tree = await json(s, "iomem --json");
  assert.deepEqual(Object.keys(tree[0]), ["start", "end", "name", "children"]);
  assert.equal(tree[0].name, "System RAM");
  const count = (n: Json[]): number => n.reduce((k, x) => k + 1 + count(x.children), 0);
  assert.equal(count(tree), iomem.length);
});

Deno.test("notifiers --json: the sequences, the invalidation, the device page table", async () => {
  const s = new Session();
  await run(
    s,
    MAP,
    "poke(a, 1)",
    "hmm_range_fault(a, 1)",
    "n = mmu_interval_notifier_insert(a, 16K)",
  );
  await run(s, "munmap(a, 4K)");
  const d = await json(s, "notifiers --json");
  assert.equal(d.invalidateSeq % 2, 0, "no invalidation runs now");
  const [mirror, mine] = d.subscriptions;
  assert.equal(mirror.owner, "hmm_dmirror");
  assert.deepEqual(mirror.log.at(-1).event, "UNMAP");
  assert.equal(mirror.log.at(-1).dropped, 1);
  assert.deepEqual(mirror.devicePageTable, []);
  assert.equal(mine.id, Number(s.vars.get("n")));
  assert.equal(mine.seq % 2, 1, "the odd cur_seq of the invalidation that hit it");
});

Deno.test("device-bind --json: the sysfs writes and the driver bound; sysctl reports what it set", async () => {
  const s = new Session();
  const r = await json(s, "device-bind 05:00.0 vfio-pci --json");
  const rec = r.results[0];
  assert.deepEqual(rec.writes.map((w: Json) => w.path), [
    "/sys/bus/pci/devices/0000:05:00.0/driver_override",
    "/sys/bus/pci/drivers/ixgbe/unbind",
    "/sys/bus/pci/drivers/vfio-pci/bind",
  ]);
  assert.equal(rec.driver, "vfio-pci");
  assert.equal(rec.pending, false);
  const sc = await json(s, "sysctl vm.overcommit_memory=2 --json");
  assert.deepEqual(sc.results, [{
    kind: "action",
    name: "sysctl",
    key: "vm.overcommit_memory",
    value: 2,
    was: 0,
  }]);
  const all = await json(s, "sysctl --json");
  assert.deepEqual(all.results[0].data[0], { name: "kernel.tainted", value: 0 });
});

Deno.test("ibv_reg_mr --json: the handle and its fields; a failure's errno", async () => {
  const s = new Session();
  await run(s, 'ctx = ibv_open_device("mlx5_0")', "pd = ibv_alloc_pd(ctx)", MAP);
  const r = await json(s, "mr = ibv_reg_mr(pd, a, 16K, IBV_ACCESS_LOCAL_WRITE) --json");
  const rec = r.results[0];
  assert.equal(rec.ret, Number(s.vars.get("mr")));
  assert.equal(rec.out.fields.addr, Number(s.vars.get("a")));
  assert.equal(rec.out.fields.length, 16384);
  const bad = await json(s, "ibv_reg_mr(pd, 0x1000, 4K, IBV_ACCESS_LOCAL_WRITE) --json");
  assert.deepEqual([bad.results[0].ret, bad.results[0].errno], [0, "EFAULT"]);
  const dev = await json(s, "ibv_devices --json");
  assert.equal(dev[0].device, "mlx5_0");
  assert.match(dev[0].nodeGuid, /^[0-9a-f]{16}$/);
});

Deno.test("vfio --json: the devices, a BAR mapping and the fault it took, a zap", async () => {
  const s = new Session();
  await run(
    s,
    "device-bind 05:00.0 vfio-pci",
    'c = open("/dev/vfio/vfio", O_RDWR)',
    'g = open("/dev/vfio/10", O_RDWR)',
    "ioctl(g, VFIO_GROUP_SET_CONTAINER, [c])",
    "ioctl(c, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)",
    'd = ioctl(g, VFIO_GROUP_GET_DEVICE_FD, "0000:05:00.0")',
    "bar = mmap(0x7f0000000000, 512K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, d, 0)",
    "peek(bar + 0x10, 4)",
    'pwrite(d, "\\x01\\x00", 2, 0x70000000004)',
  );
  const st = (await json(s, "vfio --json")).results[0].data.devices[0];
  assert.deepEqual(
    [st.bdf, st.group, st.open, st.memory, st.phys, st.faults, st.zaps],
    ["0000:05:00.0", "/dev/vfio/10", 1, false, false, 1, 1],
  );
  const [m] = (await json(s, "vfio faults --json")).results[0].data.mappings;
  assert.deepEqual([m.start, m.end, m.bar, m.pid], [0x7f0000000000, 0x7f0000080000, 0, 1]);
  assert.deepEqual(m.faults.map((f: Json) => [f.addr, f.ret]), [[
    0x7f0000000000,
    "VM_FAULT_NOPAGE",
  ]]);
});

Deno.test("iommu, dma, p2pdma acs --json: what each op changed", async () => {
  const s = new Session();
  const map = (await json(s, "iommu 05:00.0 map 0x10000 0x1000000 8K rw --json")).results[0];
  assert.deepEqual(
    [map.name, map.op, map.iova, map.addr, map.len, map.prot, map.ret, map.errno],
    ["iommu", "map", 0x10000, 0x1000000, 8192, "rw", 0, null],
  );
  const q = (await json(s, "dma 05:00.0 read 0x10000 16 --json")).results[0];
  assert.deepEqual([q.op.id, q.op.dir, q.op.status, q.waited], [1, "read", "pending", false]);
  const view = (await json(s, "iommu 05:00.0 --json")).results[0].data;
  assert.deepEqual(view.mappings.map((x: Json) => [x.iova, x.pfn, x.read, x.write]), [
    [0x10000, 0x1000, true, true],
    [0x11000, 0x1001, true, true],
  ]);
  const un = (await json(s, "iommu 05:00.0 unmap 0x10000 4K --json")).results[0];
  assert.deepEqual([un.op, un.iova, un.len, un.ret], ["unmap", 0x10000, 4096, 4096]);
  const det = (await json(s, "iommu 05:00.0 detach --json")).results[0];
  assert.deepEqual([det.op, det.domain], ["detach", view.domain]);
  const acs = (await json(s, "p2pdma acs 01:00.0 on --json")).results[0];
  assert.deepEqual([acs.op, acs.bridge, acs.redirect], ["acs", "0000:01:00.0", true]);
});

Deno.test("explain, trace, snapshot and diff --json carry their data", async () => {
  const s = new Session();
  await run(s, MAP);
  const ex = await json(s, "explain a w --json");
  assert.deepEqual(JSON.parse((await run(s, "explain a w --json")).join("\n")), ex);
  const on = (await json(s, "trace on --json")).results[0];
  assert.deepEqual(on, { kind: "action", name: "trace", on: true, json: false });
  await run(s, "trace off");
  const snap = (await json(s, "snapshot s --json")).results[0];
  // After the mmap, explain twice, trace on and trace off.
  assert.deepEqual(snap, { kind: "action", name: "snapshot", snapshot: "s", commands: 5 });
  await run(s, "poke(a, 1)");
  const d = (await json(s, "diff s --json")).results[0].data;
  assert.deepEqual([d.from, d.to], ["s", "now"]);
  assert.deepEqual(d.lines, await run(s, "diff s"));
});
