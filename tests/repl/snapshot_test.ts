import assert from "node:assert/strict";
import fc from "fast-check";
import { Session } from "../../repl/session.ts";
import { diffViews, machineViews } from "../../repl/machine_views.ts";
import { fuzzCase } from "../../repl/host/fuzz.ts";
import { Machine } from "../../mod.ts";
import { FileRecording } from "../../repl/record_file.ts";
import { replayText } from "../../repl/transcript/replay.ts";

const MAP = "a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)";

async function run(s: Session, line: string): Promise<string[]> {
  const r = await s.run(line);
  assert.equal(r.error, undefined, `${line}: ${r.output.join("\n")}`);
  return r.output;
}

/** Everything a user can see of a session: every view, the prompt, the variables. */
function state(s: Session): Map<string, string[]> {
  const v = machineViews(s.machine);
  v.set("prompt", [s.prompt()]);
  v.set("vars", [...s.vars].map(([k, x]) => `${k}=${x}`));
  v.set("unfinished", [`${s.unfinishedCalls}`]);
  return v;
}

function assertSame(a: Session, b: Session, what: string): void {
  const d = diffViews(state(a), state(b));
  assert.deepEqual(d, [], `${what}:\n${d.join("\n")}`);
}

/** A workload's command lines (fuzz cases carry a header of comments). */
function caseLines(seed: number, length: number): string[] {
  return fuzzCase(seed, 0, length).split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
}

Deno.test("snapshot, restore, undo and diff in a session", async () => {
  const s = new Session();
  await run(s, MAP);
  assert.deepEqual(await run(s, "snapshot s"), ["snapshot s: after 1 command"]);
  await run(s, "poke(a, 1)");
  await run(s, "maps"); // a view: not logged, not undone
  const diff = await run(s, "diff s");
  assert.ok(diff.includes("--- pages 1"), diff.join("\n"));
  assert.ok(diff.some((l) => /^\+ [0-9a-f]+ pte=present .*kind=anon/.test(l)), diff.join("\n"));
  assert.ok(diff.includes("- nr_anon_pages 0") && diff.includes("+ nr_anon_pages 1"));
  await run(s, "munmap(a, 16K)");
  assert.deepEqual(await run(s, "undo"), ["undid 1 command: now after 2 commands"]);
  assert.ok((await run(s, "pages a 4K")).some((l) => l.includes("present")));
  assert.deepEqual(await run(s, "restore s"), ["restored s: after 1 command"]);
  assert.deepEqual(await run(s, "diff s"), ["no difference"]);
  assert.deepEqual(await run(s, "snapshot"), ["s: after 1 command"]);
  // Variables come back with the machine.
  await run(s, "a = 5");
  await run(s, "undo");
  assert.equal(s.vars.get("a"), 0x7ffff7fbc000n);
  const bad = await s.run("restore nope");
  assert.match(bad.output[0], /no snapshot named nope; snapshots: s/);
  const far = await s.run("undo 7");
  assert.match(far.output[0], /cannot undo 7 commands: 1 command ran since the start/);
  // A policy set after the snapshot is undone with it.
  await run(s, "snapshot p");
  await run(s, "policy gup.pinModel get");
  await run(s, "restore p");
  assert.match((await run(s, "policy gup.pinModel"))[0], /^gup\.pinModel = pin /);
  // A session over a machine built elsewhere has no settings to replay from.
  const other = new Session({ machine: new Machine() });
  const no = await other.run("snapshot x");
  assert.match(no.output[0], /this session cannot be replayed: snapshots need a session started/);
  assert.match((await other.run("undo")).output[0], /this session cannot be replayed/);
});

Deno.test("restore brings back a thread asleep in a userfault, and its pending call", async () => {
  const s = new Session();
  for (
    const l of [
      MAP,
      "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)",
      "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})",
      "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
      "t = pthread_create()",
      "@t x = peek(a, 1)",
      "b = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
      "poke(b, 1)",
      "pin_user_pages(b, 1, FOLL_WRITE)",
      "u = pthread_create()",
      "@u nanosleep({tv_sec=1, tv_nsec=0})",
      "device-bind 05:00.0 vfio-pci",
    ]
  ) await run(s, l);
  await run(s, "snapshot blocked");
  const before = state(s);
  const woke = await run(s, "ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a, len=4K}, mode=0})");
  assert.ok(woke.some((l) => l.includes("<... peek resumed>")), woke.join("\n"));
  await run(s, "restore blocked");
  assert.deepEqual(diffViews(before, state(s)), []);
  assert.equal(s.unfinishedCalls, 2);
  assert.ok(before.get("threads")!.some((l) => l.includes("handle_userfault")));
  assert.ok(before.get("vmstat")!.includes("nr_foll_pin_acquired 1"));
  // The restored session finishes the call the same way, and assigns x.
  assert.deepEqual(
    await run(s, "ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a, len=4K}, mode=0})"),
    woke,
  );
  assert.equal(s.vars.get("x"), 1n); // peek returns the bytes read
});

/** Snapshot at step k of a fuzz case, go on, restore: the same as a fresh run to step k. */
async function checkRestore(seed: number, k: number): Promise<boolean> {
  const lines = caseLines(seed, 24);
  const at = Math.min(k, lines.length);
  const a = new Session();
  for (const l of lines.slice(0, at)) await a.run(l);
  await a.run("snapshot k");
  const tailA: string[][] = [];
  for (const l of lines.slice(at)) tailA.push((await a.run(l)).output);
  await a.run("restore k");
  const fresh = new Session();
  for (const l of lines.slice(0, at)) await fresh.run(l);
  assertSame(a, fresh, `seed ${seed}, restore to step ${at}`);
  const asleep = machineViews(fresh.machine).get("threads")!.some((l) =>
    l.includes("handle_userfault")
  );
  // Both go on to print the same as the first run did.
  for (const [i, l] of lines.slice(at).entries()) {
    const ra = (await a.run(l)).output;
    assert.deepEqual(ra, (await fresh.run(l)).output, `seed ${seed} line ${l}`);
    assert.deepEqual(ra, tailA[i], `seed ${seed} line ${l}`);
  }
  // undo of everything after k lands on the same state again.
  await a.run(`undo ${lines.length - at - lines.slice(at).filter(isView).length}`);
  const again = new Session();
  for (const l of lines.slice(0, at)) await again.run(l);
  assertSame(a, again, `seed ${seed}, undo back to step ${at}`);
  return asleep;
}

Deno.test("property: restore to step k equals a fresh run to step k, and continues alike", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: 24 }),
      async (seed, k) => void await checkRestore(seed, k),
    ),
    { numRuns: 12 },
  );
});

Deno.test("restore mid-way through cases with threads asleep in userfaults", async () => {
  // Fuzz cases whose threads block in handle_userfault and are woken by UFFDIO_COPY.
  const seeds: number[] = [];
  for (let i = 0; seeds.length < 3; i++) {
    if (fuzzCase(i * 7919, 0, 24).includes("pthread_create")) seeds.push(i * 7919);
  }
  let asleep = 0;
  for (const seed of seeds) {
    for (let k = 4; k <= 20; k += 4) if (await checkRestore(seed, k)) asleep++;
  }
  assert.ok(asleep > 0, "some snapshot was taken with a thread asleep in a userfault");
});

/** The read-only lines a fuzz case holds (views; undo does not count them). */
function isView(l: string): boolean {
  return /^(@\w+\s+)?(maps|smaps|pages|pagemap|ps|threads|meminfo|vmstat|status|statm)\b/.test(l);
}

Deno.test("diff names VMAs, PTEs, frames and devices that changed, and nothing else", async () => {
  const s = new Session();
  await run(s, MAP);
  await run(s, "poke(a, 1)");
  await run(s, "snapshot a0");
  await run(s, "mprotect(a + 4K, 4K, PROT_READ)");
  await run(s, "device-bind 05:00.0 vfio-pci");
  await run(s, "snapshot a1");
  const d = await run(s, "diff a0 a1");
  const from = d.indexOf("--- maps 1") + 1;
  const maps = d.slice(from, d.findIndex((l, i) => i >= from && l.startsWith("---")));
  // The mapping had merged with the anonymous VMA above it (8K): one VMA becomes three.
  assert.deepEqual(maps.map((l) => l.slice(0, 34)), [
    "- 7ffff7fbc000-7ffff7fc2000 rw-p 0",
    "+ 7ffff7fbc000-7ffff7fbd000 rw-p 0",
    "+ 7ffff7fbd000-7ffff7fbe000 r--p 0",
    "+ 7ffff7fbe000-7ffff7fc2000 rw-p 0",
  ]);
  assert.ok(d.includes("--- lspci"), d.join("\n"));
  assert.ok(d.some((l) => l === "+ \tKernel driver in use: vfio-pci"), d.join("\n"));
  assert.ok(!d.includes("--- pages 1"), "no PTE changed");
  // Both directions, and a snapshot against itself.
  const back = await run(s, "diff a1 a0");
  assert.ok(back.includes("+ 7ffff7fbc000-7ffff7fc2000 rw-p 00000000 00:00 0 "), back.join("\n"));
  assert.deepEqual(await run(s, "diff a1 a1"), ["no difference"]);
  assert.deepEqual(await run(s, "diff a1"), ["no difference"]);
});

Deno.test("a recorded session with snapshots, undo, --json and --show-script replays", async () => {
  const path = await Deno.makeTempFile({ suffix: ".mm" });
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  new FileRecording(s);
  await s.run(`record ${path}`);
  for (
    const l of [
      MAP,
      "snapshot s",
      "munmap(a, 16K)",
      "restore s",
      "maps a",
      "poke(a, 1)",
      "undo",
      "diff s",
      "mprotect(a, 4K, PROT_READ) --json",
      "mprotect(nope, 4K, PROT_READ) --json",
      "peek(0, 1) --json",
      "madvise(a, 4K, MADV_DONTNEED) --show-script",
    ]
  ) await s.run(l);
  await s.run("record stop");
  const text = await Deno.readTextFile(path);
  await Deno.remove(path);
  assert.match(text, /undid 1 command: now after 1 command/);
  assert.deepEqual(await replayText(text), { passed: 12 });
});

Deno.test("the log keeps what changes the machine: views, filtered views and lines that do not parse stay out", async () => {
  const s = new Session();
  const lines = [
    "a = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
    "maps",
    "maps | grep rw",
    "mmap(",
    "poke(a, 1)",
    "check",
    "vars",
  ];
  for (const l of lines) await s.run(l);
  // The mmap and the poke; a view (filtered or not), a line that does not parse, check, vars: not.
  assert.deepEqual(
    s.snapshots.length,
    lines.filter((l) => l.startsWith("a =") || l.startsWith("poke")).length,
  );
});

Deno.test("a call with a filter (`mmap(...) | grep 0x`) is logged: restore and undo keep it", async () => {
  const s = new Session();
  await run(s, `${MAP} | grep 0x`);
  await run(s, "poke(a, 5) | head 1");
  await run(s, "snapshot x");
  await run(s, "poke(a, 6)");
  await run(s, "restore x");
  assert.deepEqual(await run(s, "peek(a)"), ["= 5"]);
  // Back over the peek and the filtered poke.
  await run(s, "undo 2");
  assert.deepEqual(await run(s, "peek(a)"), ["= 0"]);
  // A view with a filter still changes nothing: it is not logged.
  const before = await run(s, "snapshot y");
  await run(s, "maps | grep rw");
  assert.deepEqual(
    (await run(s, "snapshot z")).map((l) => l.replace("snapshot z", "snapshot y")),
    before,
  );
});
