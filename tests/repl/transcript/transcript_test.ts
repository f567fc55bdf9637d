import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import {
  parseTranscript,
  renderTranscript,
  type TranscriptError,
} from "../../../repl/transcript/format.ts";
import { lineMatches, matchBlock } from "../../../repl/transcript/match.ts";
import { describeFailure, replayText } from "../../../repl/transcript/replay.ts";
import { Recorder } from "../../../repl/transcript/recorder.ts";
import { Session } from "../../../repl/session.ts";
import { stepThrough } from "../../../repl/transcript/step.ts";

const HEAD =
  "# mmlab transcript 1\n# mmlab: 0.1.0\n# seed: 1\n# ram: 64M\n# preset: linux-6.18\n\n";
const MAP =
  "a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)";

Deno.test("transcript: parse and render round-trip prose, commands, questions and answers", () => {
  const text = HEAD + "Some prose.\n\n  [1] mm> " + MAP +
    "\n  = 0x7f0000000000\n? Why?\n! Because.\n";
  const t = parseTranscript(text);
  assert.equal(t.header.ram, 64 << 20);
  assert.deepEqual(t.blocks.map((b) => b.kind), [
    "prose",
    "prose",
    "command",
    "question",
    "answer",
  ]);
  assert.equal(renderTranscript(t), text);
});

Deno.test("transcript: malformed files name the line at fault", async () => {
  assert.throws(() => parseTranscript("hello\n"), (e: TranscriptError) => e.line === 1);
  assert.throws(
    () => parseTranscript(HEAD.replace("# seed: 1", "# seed: x")),
    (e: TranscriptError) => e.line === 3,
  );
  assert.throws(() => parseTranscript(HEAD + "  = 0\n"), (e: TranscriptError) => e.line === 7);
  const r = await replayText(HEAD.replace("linux-6.18", "linux-0.1"));
  assert.equal(r.malformed?.line, 5);
  assert.match(r.malformed!.message, /unknown preset/);
  // Planned knobs (lib/policy.ts) are refused in headers too (no preset is planned any more).
  const planned = await replayText(
    HEAD.replace("linux-6.18", "linux-6.18\n# policy: vfio.onMemoryDisable=zero-page"),
  );
  assert.match(planned.malformed!.message, /policy vfio.onMemoryDisable is planned for issue 10/);
});

Deno.test("matchers: (re), (glob), and ... spanning any number of lines", () => {
  assert.ok(lineMatches("= 0x7f[0-9a-f]+ (re)", "= 0x7ffff7fbe000"));
  assert.ok(
    lineMatches("7f0000000000-* rw-p * (glob)", "7f0000000000-7f0000001000 rw-p 00000000 00:00 0 "),
  );
  assert.ok(!lineMatches("= 1 (glob)", "= 2"));
  assert.equal(matchBlock(["a", "...", "z"], ["a", "b", "c", "z"]), null);
  assert.equal(matchBlock(["a", "..."], ["a"]), null);
  assert.deepEqual(matchBlock(["a", "b"], ["a", "c"]), { expectedIndex: 1, actualIndex: 1 });
  assert.deepEqual(matchBlock(["a"], ["a", "b"]), { expectedIndex: 1, actualIndex: 1 });
});

Deno.test("replay: passes a faithful transcript; reports the first divergence with file:line and context", async () => {
  const good = HEAD + "  [1] mm> " + MAP + "\n  = 0x7f0000000000\n  [1] mm> peek(a)\n  = 0\n";
  assert.deepEqual(await replayText(good), { passed: 2 });
  const bad = good.replace("  = 0\n", "  = 1\n");
  const r = await replayText(bad);
  assert.equal(r.passed, 1);
  assert.equal(r.failure!.line, 10);
  const text = describeFailure("lab.mm", r.failure!).join("\n");
  assert.match(text, /^lab\.mm:10: output differs after: peek\(a\)/);
  assert.match(text, /expected:\n {4}= 1\n {2}actual:\n {4}= 0/);
  assert.match(text, /context:\n {4}\[1\] mm> a = mmap/);
  const wrongPid = good.replace("  [1] mm> peek(a)", "  [2] mm> peek(a)");
  assert.match((await replayText(wrongPid)).failure!.what, /prompt shows process 1/);
});

Deno.test("replay --update rewrites only what no longer matches, keeping matchers", async () => {
  const text = HEAD + "  [1] mm> " + MAP + "\n  = 0x7f[0-9a-f]+ (re)\n  [1] mm> peek(a)\n  = 5\n";
  const r = await replayText(text, { update: true });
  assert.equal(r.updated, text.replace("  = 5\n", "  = 0\n"));
  assert.deepEqual(await replayText(r.updated!), { passed: 2 });
});

Deno.test("recorder: a recorded session replays identically, errors included", async () => {
  const s = new Session({ config: { ramBytes: 64 << 20 } });
  let out = "";
  const rec = new Recorder((t) => (out += t));
  rec.start(s);
  rec.prose("# a comment the user typed");
  for (
    const line of [MAP, "mprotect(a+1, 4K, PROT_READ)", "munmap(a,", "c = fork()", "@c poke(a, 1)"]
  ) {
    const pid = s.pid;
    rec.command(pid, line, await s.run(line, { file: "f.mm", line: 3 }));
  }
  assert.match(out, /error at column/);
  assert.doesNotMatch(out, /f\.mm:3/);
  assert.deepEqual(await replayText(out), { passed: 5 });
});

Deno.test("step mode: Enter runs the next command; other lines run first in the same session", async () => {
  const file = await Deno.makeTempFile({ suffix: ".mm" });
  await Deno.writeTextFile(
    file,
    HEAD + "Intro.\n  [1] mm> " + MAP +
      "\n  = 0x7f0000000000\n? Q?\n! A.\n  [1] mm> peek(a)\n  = 0\n",
  );
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (d) => (text += d));
  input.end("\npoke(a, 7)\n\n");
  assert.equal(await stepThrough(file, input, output), 0);
  await Deno.remove(file);
  assert.match(text, /Intro\./);
  assert.match(text, /\? Q\?/);
  assert.doesNotMatch(text, /! A\./);
  assert.match(text, /peek\(a\) {3}\[Enter\]\n= 7\n\(this differs from the transcript/);
  assert.match(text, /\(end of transcript\)/);
});

Deno.test("every shipped lab and example transcript replays", async () => {
  const dirs = ["scripts/labs", "scripts/examples"];
  let n = 0;
  for (const d of dirs) {
    const dir = new URL(`../../../${d}/`, import.meta.url);
    let entries: Deno.DirEntry[] = [];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch {
      continue;
    }
    for (
      const e of entries.filter((e) => e.name.endsWith(".mm")).sort((a, b) =>
        a.name.localeCompare(b.name)
      )
    ) {
      const text = await Deno.readTextFile(new URL(e.name, dir));
      if (!text.startsWith("# mmlab transcript")) continue;
      const r = await replayText(text);
      assert.equal(r.malformed, undefined, `${d}/${e.name}: ${r.malformed?.message}`);
      assert.equal(
        r.failure,
        undefined,
        r.failure && describeFailure(`${d}/${e.name}`, r.failure).join("\n"),
      );
      n++;
    }
  }
  assert.ok(n >= 3, `only ${n} transcripts found`);
});
