import assert from "node:assert/strict";
import pc from "picocolors";
import { Session } from "../../repl/session.ts";
import { paintLine } from "../../repl/colour.ts";
import { lspciEntries, lspciStateText, Machine } from "../../mod.ts";

const MAP =
  "a = mmap(0x7f0000000000, 64K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)";
const ROOT = new URL("../../", import.meta.url).pathname;

/** Runs lines; returns the output of the last one. */
async function last(s: Session, ...lines: string[]): Promise<string[]> {
  let out: string[] = [];
  for (const l of lines) {
    const r = await s.run(l);
    assert.equal(r.error, undefined, `${l}: ${r.error?.message}`);
    out = r.output;
  }
  return out;
}

/** The letters row of a vmmap (the line after the ruler). */
const lettersRow = (out: string[]) => out.find((l) => /^7f0000000000 {2}\S/.test(l))!;

Deno.test("vmmap: before and after a split the rows line up; maps --draw is vmmap", async () => {
  const s = new Session();
  const before = await last(s, MAP, "poke(a, 1)", "vmmap a 64K");
  assert.deepEqual(before.slice(0, 4), [
    "vmmap 7f0000000000-7f0000010000  1 page (4K) per column",
    "              0   16K 32K 48K 64K",
    "              |   |   |   |   |",
    "7f0000000000  Aaaaaaaaaaaaaaaa",
  ]);
  const after = await last(s, "mprotect(a + 16K, 16K, PROT_READ)", "vmmap a 64K");
  assert.deepEqual(after.slice(0, 3), before.slice(0, 3));
  assert.equal(lettersRow(after), "7f0000000000  Aaaaaaaaaaaaaaaa");
  // Same letters (both anon), but three VMAs now: --json tells them apart.
  const json = JSON.parse((await last(s, "vmmap a 64K --json")).join("\n"));
  assert.deepEqual(json.vmas.map((v: { perms: string }) => v.perms), ["rw-p", "r--p", "rw-p"]);
  assert.deepEqual(await last(s, "maps a 64K --draw"), await last(s, "vmmap a 64K"));
  assert.deepEqual(await last(s, "maps --draw"), await last(s, "vmmap"));
  assert.equal((await last(s, "maps a 64K")).length, 3);
});

Deno.test("vmmap: userfaultfd ranges are u, missing pages m, uffd-wp PTEs w", async () => {
  const s = new Session();
  const out = await last(
    s,
    "uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)",
    "ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})",
    MAP,
    "memset(a, 0x41, 8K)",
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_WP})",
    "ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=a, len=8K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})",
    "ioctl(uffd, UFFDIO_REGISTER, {range={start=a+32K, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
    "vmmap a 64K",
  );
  assert.equal(lettersRow(out), "7f0000000000  UUuuaaaauuuuaaaa");
  const i = out.indexOf(lettersRow(out));
  assert.equal(out[i + 1], "              ww      mmmm");
  assert.ok(out.includes("  a anon  u uffd  . unmapped"), out.join("\n"));
});

Deno.test("frames: bad PFN or LEN is one clear error; the list names the owner", async () => {
  const s = new Session();
  let r = await s.run("frames 0x10000000");
  assert.match(r.error?.message ?? "", /^PFN must be a frame of RAM/);
  r = await s.run("frames 0 0");
  assert.match(r.error?.message ?? "", /^LEN must be > 0/);
  const out = await last(s, MAP, "poke(a, 1)", "frames 0x1000 1");
  assert.deepEqual(out.slice(0, 2), ["frames 1000-1001  1 frame (4K) per cell", "01000  A"]);
  assert.ok(out.some((l) => /^1000 {2}anon +1 +1 +0 {2}1$/.test(l)), out.join("\n"));
});

Deno.test("colour: picture rows are painted letter by letter; plain without colour", async () => {
  const s = new Session();
  const out = await last(
    s,
    MAP,
    "poke(a, 1)",
    "pin_user_pages(a, 1, FOLL_WRITE)",
    "frames 0x1000 1",
    "vmmap a 64K",
  );
  const row = lettersRow(out);
  const on = pc.createColors(true), off = pc.createColors(false);
  for (const l of out) assert.equal(paintLine(l, off), l);
  const painted = paintLine(row, on);
  assert.notEqual(painted, row);
  // deno-lint-ignore no-control-regex
  assert.equal(painted.replace(/\x1b\[[0-9;]*m/g, ""), row);
  // The marks row too (P under the pinned page), and nothing else of the view.
  const marks = out[out.indexOf(row) + 1];
  assert.equal(marks, "              P");
  assert.notEqual(paintLine(marks, on), marks);
  assert.equal(paintLine("  a anon  . unmapped", on), "  a anon  . unmapped");
});

for (
  const [name, env, coloured] of [
    ["NO_COLOR", { NO_COLOR: "1", FORCE_COLOR: "1" }, false],
    ["FORCE_COLOR", { FORCE_COLOR: "1" }, true],
  ] as const
) {
  Deno.test(`colour: a batch run with ${name} prints the picture ${coloured ? "in colour" : "plain"}`, async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--allow-read", "--allow-env", "repl/main.ts", "-"],
      cwd: ROOT,
      clearEnv: true,
      env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", ...env },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(`${MAP}\npoke(a, 1)\nvmmap a 64K\n`));
    await w.close();
    const r = await child.output();
    const out = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.equal(out.includes("\x1b["), coloured, out);
    // deno-lint-ignore no-control-regex
    assert.match(out.replace(/\x1b\[[0-9;]*m/g, ""), /^7f0000000000 {2}Aaaaaaaaaaaaaaaa$/m);
  });
}

Deno.test("lspci -t -k: each function's driver and state after it in the tree", async () => {
  const s = new Session();
  const before = await last(s, "lspci -t -k");
  assert.ok(before.includes("           +-02.0-[05]----00.0  [ixgbe]"), before.join("\n"));
  assert.ok(before.includes("           \\-03.0-[06]----00.0  [nvme]"), before.join("\n"));
  const after = await last(
    s,
    "device-unbind 06:00.0",
    "inject-fault mmio-disable 05:00.0",
    "lspci -t -k",
  );
  assert.ok(after.includes("           +-02.0-[05]----00.0  [ixgbe] Mem-"), after.join("\n"));
  assert.ok(after.includes("           \\-03.0-[06]----00.0  [no driver]"), after.join("\n"));
  // The tree's shape is lspci -t's, line for line.
  const plain = await last(s, "lspci -t");
  assert.equal(after.length, plain.length);
  after.forEach((l, i) => assert.ok(l.startsWith(plain[i]), `${l}\n${plain[i]}`));
});

Deno.test("lspci -t -k: a frozen function says so", () => {
  const m = new Machine({ pci: "default" });
  const e = lspciEntries(m.pci).find((x) => x.slot === "05:00.0")!;
  assert.equal(lspciStateText(e), "[ixgbe]");
  assert.equal(lspciStateText({ ...e, state: "frozen", driver: null }), "[no driver] frozen");
});

Deno.test("vmmap and frames: a DAX file's page is x, and its frame is pmem", async () => {
  const s = new Session();
  const out = await last(
    s,
    'fd = open("/mnt/pmem/f", O_RDWR|O_CREAT, 0644)',
    "ftruncate(fd, 8K)",
    "b = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, fd, 0)",
    "poke(b, 1)",
    "vmmap b 8K",
  );
  assert.equal(lettersRow(out), "7f0000000000  Xx");
  assert.ok(out.includes("  x dax  . unmapped"), out.join("\n"));
  const json = JSON.parse((await last(s, "pages b 4K --json")).join("\n"));
  const pfn: number = json[0].pfn;
  const f = await last(s, `frames ${pfn} 1`);
  assert.ok(
    f.some((l) => new RegExp(`^${pfn.toString(16)} {2}pmem +1 +1 +0 {2}1$`).test(l)),
    f.join("\n"),
  );
});
