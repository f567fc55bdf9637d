/**
 * copy_files(): clone(CLONE_FILES) shares the fd table (a close or an open
 * in one process is seen by the other; the table's files close when its
 * last sharer exits), fork() copies it, and threads share their group's.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { dupFd, FilesStruct } from "../../lib/proc/files.ts";

async function run(s: Session, ...lines: string[]): Promise<string> {
  let out = "";
  for (const l of lines) {
    const r = await s.run(l);
    out = r.error ? `error: ${r.error.message}` : r.output.join("\n");
  }
  return out;
}

const EBADF = "= -1 EBADF (Bad file descriptor)";

async function withFile(): Promise<Session> {
  const s = new Session({ config: { seed: 1, ramBytes: 1 << 30, preset: "linux-6.18" } });
  await run(s, 'fd = open("/tmp/cf", O_RDWR|O_CREAT|O_TRUNC, 0644)');
  return s;
}

Deno.test("CLONE_FILES: a close in the child closes the parent's fd, an open shows in both", async () => {
  const s = await withFile();
  await run(s, "c = clone(CLONE_VM|CLONE_FILES|SIGCHLD)");
  assert.equal(await run(s, '@c fd2 = open("/tmp/cf2", O_RDWR|O_CREAT, 0644)'), "= 4");
  assert.equal(await run(s, 'pwrite(fd2, "x", 1, 0)'), "= 1");
  assert.equal(await run(s, "@c close(fd)"), "= 0");
  assert.equal(await run(s, 'pwrite(fd, "x", 1, 0)'), EBADF);
  // The lowest free fd is the one the child freed, in both.
  assert.equal(await run(s, 'fd = open("/tmp/cf", O_RDWR, 0)'), "= 3");
  assert.equal(await run(s, "@c close(3)"), "= 0");
});

Deno.test("CLONE_FILES: the sharer's exit leaves the table open for the other", async () => {
  const s = await withFile();
  await run(s, "c = clone(CLONE_VM|CLONE_FILES|SIGCHLD)", "@c exit_group(0)");
  assert.equal(await run(s, 'pwrite(fd, "abc", 3, 0)'), "= 3");
});

Deno.test("fork copies the table: a close in the child leaves the parent's fd", async () => {
  const s = await withFile();
  await run(s, "f = fork()");
  assert.equal(await run(s, "@f close(fd)"), "= 0");
  assert.equal(await run(s, 'pwrite(fd, "abc", 3, 0)'), "= 3");
  assert.equal(await run(s, '@f pwrite(fd, "abc", 3, 0)'), EBADF);
  // clone without CLONE_FILES copies too, CLONE_VM or not.
  await run(s, "c = clone(CLONE_VM|SIGCHLD)");
  assert.equal(await run(s, "@c close(fd)"), "= 0");
  assert.equal(await run(s, 'pwrite(fd, "abc", 3, 0)'), "= 3");
});

Deno.test("threads share the group's table: a close in one thread closes it for all", async () => {
  const s = await withFile();
  await run(s, "t = pthread_create()");
  assert.equal(await run(s, "@t close(fd)"), "= 0");
  assert.equal(await run(s, 'pwrite(fd, "abc", 3, 0)'), EBADF);
});

Deno.test("dup_fd copies the open files (each one more reference) and the close-on-exec bits", () => {
  const old = new FilesStruct();
  const file = { refs: 1 } as unknown as NonNullable<FilesStruct["fds"][number]>;
  old.fds[2] = file;
  old.closeOnExec.add(2);
  const copy = dupFd(old);
  assert.equal(copy.fds[2], file);
  assert.equal(file.refs, 2);
  assert.ok(copy.closeOnExec.has(2));
  assert.equal(copy.users, 1);
  copy.closeOnExec.delete(2);
  assert.ok(old.closeOnExec.has(2), "the copy's bits are its own");
});
