import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";
import { FileRecording } from "../../repl/record_file.ts";
import { replayText } from "../../repl/transcript/replay.ts";

Deno.test("record: each command is on disk as soon as it ran; the file replays", async () => {
  const path = await Deno.makeTempFile({ suffix: ".mm" });
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  new FileRecording(s);
  assert.deepEqual((await s.run(`record ${path}`)).output, [`recording to ${path}`]);
  await s.run(
    "a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
  );
  assert.match(
    await Deno.readTextFile(path),
    /= 0x7f0000000000\n$/,
    "flushed before the next command",
  );
  await s.run("c = fork()");
  await s.run("@c poke(a, 9)");
  assert.deepEqual((await s.run("record stop")).output, [`recorded ${path}`]);
  await s.run("peek(a)");
  const text = await Deno.readTextFile(path);
  await Deno.remove(path);
  assert.doesNotMatch(text, /record|peek/);
  assert.deepEqual(await replayText(text), { passed: 3 });
});

Deno.test("record: an unwritable file is one clear line; stop without a recording too", async () => {
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  new FileRecording(s);
  assert.match(
    (await s.run("record /nonexistent-dir/x.mm")).output[0],
    /^record: cannot write \/nonexistent-dir\/x\.mm: /,
  );
  assert.deepEqual((await s.run("record stop")).output, ["record: not recording"]);
});
