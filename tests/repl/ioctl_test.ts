import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { parseExpr } from "../../repl/parser.ts";
import type { ReplError } from "../../repl/errors.ts";

async function last(s: Session, ...lines: string[]): Promise<string[]> {
  let out: string[] = [];
  for (const l of lines) out = (await s.run(l)).output;
  return out;
}

Deno.test("struct literals parse as strace prints structs: nesting, expressions, | flags", () => {
  const e = parseExpr("{range={start=a + 4K, len=16K}, mode=X|Y}");
  assert.equal(e.type, "struct");
  if (e.type !== "struct") return;
  assert.deepEqual(e.fields.map((f) => f.name), ["range", "mode"]);
  assert.equal(e.fields[0].value.type, "struct");
  assert.equal(e.fields[1].value.type, "binary");
  assert.deepEqual(parseExpr("{}"), { type: "struct", fields: [], col: 1 });
  assert.throws(() => parseExpr("{a=1"), (x: ReplError) => /missing '}'/.test(x.message));
  assert.throws(
    () => parseExpr("{a}"),
    (x: ReplError) => /expected '=' after the field a/.test(x.message),
  );
  assert.throws(() => parseExpr("{a=1, a=2}"), (x: ReplError) => /given twice/.test(x.message));
});

Deno.test("ioctl with a struct literal prints the struct the kernel wrote back", async () => {
  const s = new Session();
  await last(s, 'fd = open("/tmp/f", O_RDWR|O_CREAT, 0644)');
  assert.deepEqual(await last(s, "ioctl(fd, FS_IOC_FSGETXATTR, {fsx_projid=7})"), [
    "= 0 {fsx_xflags=0, fsx_extsize=0, fsx_nextents=0, fsx_projid=0, fsx_cowextsize=0}",
  ]);
  // A regular file has no userfaultfd ioctls: ENOTTY, and nothing follows an error.
  assert.deepEqual(
    await last(
      s,
      "a = mmap(0x7f0000000000, 16K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)",
      "ioctl(fd, UFFDIO_REGISTER, {range={start=a, len=16K}, mode=UFFDIO_REGISTER_MODE_MISSING})",
    ),
    ["= -1 ENOTTY (Inappropriate ioctl for device)"],
  );
  const bad = await s.run("ioctl(fd, UFFDIO_REGISTER, {range={start=a, size=16K}})");
  assert.equal(bad.error?.message, "struct uffdio_range has no field range.size");
  assert.equal(
    (await s.run("ioctl(fd, FIONREAD, {})")).error?.message,
    "FIONREAD takes a pointer to an int",
  );
  assert.match((await s.run("x = {a=1}")).error!.message, /not a number/);
});

Deno.test("ioctl with [int]: out ints print back as strace does, in-only ones do not", async () => {
  const s = new Session();
  await last(s, 'fd = open("/tmp/f", O_RDWR|O_CREAT, 0644)', 'pwrite(fd, "hello", 5, 0)');
  assert.deepEqual(await last(s, "ioctl(fd, FIONREAD, [0])"), ["= 0 [5]"]);
  assert.deepEqual(await last(s, "ioctl(fd, FS_IOC_GETFLAGS, [0])"), ["= 0 [FS_EXTENT_FL]"]);
  assert.deepEqual(await last(s, "ioctl(fd, FIONBIO, [1])"), ["= 0"]);
  assert.equal(
    (await s.run("ioctl(fd, FS_IOC_FSGETXATTR, [0])")).error?.message,
    "FS_IOC_FSGETXATTR does not take a pointer to an int",
  );
  assert.match((await s.run("y = [1]")).error!.message, /not a number/);
  assert.match((await s.run("ioctl(fd, FIONREAD, [1)")).error!.message, /expected '\]'/);
});
