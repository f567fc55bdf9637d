import assert from "node:assert/strict";
import { parseTranscript } from "../../../repl/transcript/format.ts";
import { checkSession, labTitle, labView } from "../../../repl/transcript/lab.ts";
import { Recorder } from "../../../repl/transcript/recorder.ts";
import { Session } from "../../../repl/session.ts";

const LAB = new URL("../../../scripts/labs/01-vma-split-merge.mm", import.meta.url);

/** Records a session that runs `lines` on the lab's machine. */
async function record(lines: string[]): Promise<string> {
  const s = new Session({ config: { seed: 1, ramBytes: 1 << 30, preset: "linux-6.18" } });
  let out = "";
  const rec = new Recorder((t) => (out += t));
  rec.start(s);
  for (const l of lines) {
    const pid = s.pid;
    rec.command(pid, l, await s.run(l));
  }
  return out;
}

const labText = Deno.readTextFileSync(LAB);
const lab = parseTranscript(labText);
const labCommands = lab.blocks.flatMap((b) => b.kind === "command" ? [b.input] : []);

Deno.test("lab: the student view hides output and answers; --solve shows them", () => {
  assert.equal(labTitle(lab), "Lab 1: VMAs split and merge");
  const view = labView(lab, false).join("\n");
  assert.match(view, /\? How many VMAs/);
  assert.doesNotMatch(view, /^! /m);
  assert.doesNotMatch(view, /= 0x7f0000000000/);
  const solved = labView(lab, true).join("\n");
  assert.match(solved, /^! Three/m);
  assert.match(solved, /= 0x7f0000000000/);
});

Deno.test("lab --check: a session that ran every step, with extra looks in between, passes", async () => {
  const lines = labCommands.flatMap((c, i) => i === 3 ? ["pages a 4K", c] : [c]);
  const r = await checkSession("lab.mm", lab, "me.mm", await record(lines));
  assert.equal(r.failed, 0, r.lines.join("\n"));
  assert.equal(r.passed, labCommands.length);
});

Deno.test("lab --check: a skipped step and a differing one are named; an edited recording is refused", async () => {
  const skipped = labCommands.filter((c) => !c.startsWith("munmap"));
  const r = await checkSession("lab.mm", lab, "me.mm", await record(skipped));
  assert.ok(r.lines.some((l) => /munmap\(a \+ 8K, 4K\): not run/.test(l)), r.lines.join("\n"));
  assert.ok(
    r.lines.some((l) => /mprotect\(a, 16K, PROT_READ\): differs/.test(l)),
    r.lines.join("\n"),
  );
  const forged = (await record(labCommands)).replace("= -1 ENOMEM (Cannot allocate memory)", "= 0");
  const f = await checkSession("lab.mm", lab, "me.mm", forged);
  assert.match(f.lines[0], /does not replay/);
  assert.equal(f.passed, 0);
});
