import assert from "node:assert/strict";
import { type Block, parseTranscript, renderTranscript } from "../../repl/transcript/format.ts";
import {
  answerValue,
  checkAnswers,
  chooseValues,
  labFixed,
  labParams,
  sessionAnswers,
  solvedLab,
  solvedView,
  solveLab,
  studentView,
  variantOf,
} from "../../repl/transcript/lab_variant.ts";
import { Session } from "../../repl/session.ts";
import { checkSession, labView } from "../../repl/transcript/lab.ts";
import { replayText } from "../../repl/transcript/replay.ts";
import { stepThrough } from "../../repl/transcript/step.ts";
import { PassThrough } from "node:stream";

const LAB = `# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 64M
# preset: linux-6.18
# vary.BYTE: 0x41 0x5a 0x7e
# vary.LEN: 8K 16K

A lab.

  [1] mm> a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> poke(a + 4K, 0x41)
  = 1
? What does a load from a + 4K give?
!= 0x41
! The byte stored.
? How long is the mapping?
!= 8K
`;

Deno.test("lab variants: # vary lines, a seed picks values, the file replays as written", async () => {
  const t = parseTranscript(LAB);
  assert.deepEqual(labParams(t), [
    { name: "BYTE", values: ["0x41", "0x5a", "0x7e"] },
    { name: "LEN", values: ["8K", "16K"] },
  ]);
  assert.deepEqual(chooseValues(labParams(t), 7), chooseValues(labParams(t), 7), "deterministic");
  const seen = new Set<string>();
  for (let s = 0; s < 40; s++) seen.add(chooseValues(labParams(t), s).get("BYTE")!);
  assert.equal(seen.size, 3, "seeds reach every value");
  assert.deepEqual(await replayText(LAB), { passed: 2 });
  assert.equal(variantOf(t, undefined), t);
});

Deno.test("lab variants: the student view hides answers; --solve runs the variant", async () => {
  const t = parseTranscript(LAB);
  let seed = 0;
  while (chooseValues(labParams(t), seed).get("BYTE") !== "0x7e") seed++;
  const v = variantOf(t, seed);
  const len = chooseValues(labParams(t), seed).get("LEN")!;
  const view = studentView(v);
  assert.ok(view.includes("  [1] mm> poke(a + 4K, 0x7e)"), view.join("\n"));
  assert.ok(view.includes("? 1. What does a load from a + 4K give?"));
  assert.ok(!view.some((l) => l.startsWith("!")), "no answers");
  assert.ok(!labView(t, false).some((l) => l.startsWith("!")), "the plain view hides != too");
  const solved = solvedView(v, await solveLab(v));
  assert.ok(solved.includes("! question 1: 126 (0x7e)"), solved.join("\n"));
  assert.ok(solved.includes(
    `  [1] mm> a = mmap(0x7f0000000000, ${len}, PROT_READ|PROT_WRITE, ` +
      "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)",
  ));
  assert.ok(solved.includes("! The byte stored."));
});

Deno.test("lab answers: N: VALUE lines, read as expressions, scored", async () => {
  const t = parseTranscript(LAB);
  const steps = await solveLab(t);
  const all = await checkAnswers(steps, "a.txt", "# mine\n1: 'A'\n2) 2 * 4K\n");
  assert.deepEqual(all, { lines: ["question 1: ok", "question 2: ok"], right: 2, total: 2 });
  const some = await checkAnswers(steps, "a.txt", "1: 0x42\nwhat\n2: nosuch\n");
  assert.equal(some.right, 0);
  assert.deepEqual(some.lines, [
    'a.txt:2: answers look like "3: 0x1002" (question: value)',
    "question 1: 0x42 is not the answer",
    "a.txt:3: question 2: error at column 1: unknown name nosuch",
  ]);
  assert.deepEqual((await checkAnswers(steps, "a.txt", "")).lines, [
    "question 1: no answer",
    "question 2: no answer",
  ]);
});

Deno.test("lab CLI: --seed, --solve, --answers with a score", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/ans.txt`,
    "1: 0\n2: 0x41\n3: no\n4: 1\n5: SEGV_ACCERR\n6: SEGV_MAPERR\n",
  );
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../repl/lab_main.ts", import.meta.url).pathname, ...args],
      env: { NO_COLOR: "1" },
    }).output();
    return { code: out.code, text: new TextDecoder().decode(out.stdout) };
  };
  const ok = await run("2", "--answers", `${dir}/ans.txt`);
  assert.equal(ok.code, 0, ok.text);
  assert.match(ok.text, /question 2: ok\n(.*\n)*question 6: ok\nscore: 6\/6\n/);
  const variant = await run("2", "--seed", "3", "--solve");
  assert.equal(variant.code, 0);
  assert.match(variant.text, /! question 2: \d+ \(0x[0-9a-f]+\)/);
  const plain = await run("5");
  assert.match(plain.text, /^\? 1\. Did mmap refuse/m, "numbered: answers are N: VALUE");
  assert.doesNotMatch(plain.text, /^!/m);
  const solved = await run("1", "--solve");
  assert.match(solved.text, /^! question 1: 3\n! Three:/m);
  const bad = await run("2", "--seed", "x");
  assert.equal(bad.code, 2);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("lab --step pauses at each question, checks a checked answer, ends with a score", async () => {
  const file = await Deno.makeTempFile({ suffix: ".mm" });
  await Deno.writeTextFile(file, LAB);
  const input = new PassThrough();
  const output = new PassThrough();
  let text = "";
  output.on("data", (d) => (text += d));
  // Enter, Enter (the two commands), then the two answers: one right, one wrong.
  input.end("\n\n'A'\n4K\n");
  assert.equal(await stepThrough(file, input, output, { questions: true }), 0);
  await Deno.remove(file);
  assert.match(text, /\? 1\. What does a load from a \+ 4K give\?\nanswer > right\n/);
  assert.match(
    text,
    /\? 2\. How long is the mapping\?\nanswer > not quite: the answer is 8192 \(0x2000\)\n/,
  );
  assert.match(text, /score: 1\/2\n\(end of transcript\)/);
  assert.doesNotMatch(text, /!= /);
});

const NAMED = `# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 64M
# preset: linux-6.18

  [1] mm> mmap(0, 0, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = -1 EINVAL (Invalid argument)
? Which errno?
!= errno
? Which si_code does a load with no VMA get?
!= SEGV_MAPERR
? Was it mapped?
!= no
  [1] mm> no = 5
  = 5
? A lab's own variable wins over the answer names.
!= no
`;

Deno.test("lab answers may name errnos, si_codes, yes and no; a lab variable wins", async () => {
  const steps = await solveLab(parseTranscript(NAMED));
  const values = steps.flatMap((s) => s.kind === "answer" ? [s.value] : []);
  assert.deepEqual(values, [22n, 1n, 0n, 5n]);
  const r = await checkAnswers(steps, "a.txt", "1: EINVAL\n2: SEGV_MAPERR\n3: no\n4: 5\n");
  assert.equal(r.right, 4, r.lines.join("\n"));
  const wrong = await checkAnswers(steps, "a.txt", "1: EFAULT\n2: 1\n3: yes\n4: 5\n");
  assert.deepEqual(wrong.lines.slice(0, 3), [
    "question 1: EFAULT is not the answer",
    "question 2: ok",
    "question 3: yes is not the answer",
  ]);
  const solved = solvedView(parseTranscript(NAMED), steps);
  assert.ok(solved.includes("! question 1: 22 (0x16)"), solved.join("\n"));
  assert.ok(solved.includes("! question 2: SEGV_MAPERR = 1"), solved.join("\n"));
  assert.ok(solved.includes("! question 4: 5"), "a lab variable is not named as a constant");
});

Deno.test("lab variants: NAME.FORM takes NAME's pick; # fixed: says why a lab does not vary", () => {
  const t = parseTranscript(LAB.replace(
    "# vary.LEN: 8K 16K\n",
    "# vary.LEN: 8K 16K\n# vary.LEN.bytes: 8192 16384\n# fixed: not really\n",
  ));
  const params = labParams(t);
  const seen = new Set<string>();
  for (let s = 0; s < 30; s++) {
    const v = chooseValues(params, s);
    const i = params[1].values.indexOf(v.get("LEN")!);
    assert.equal(v.get("LEN.bytes"), params[2].values[i], `seed ${s}`);
    seen.add(v.get("LEN")!);
  }
  assert.equal(seen.size, 2);
  assert.equal(labFixed(t), "not really");
  assert.equal(labFixed(parseTranscript(LAB)), undefined);
});

Deno.test("a session's # N: VALUE comments are its answers; a solved variant is a lab to check against", async () => {
  const v = variantOf(parseTranscript(LAB), 5);
  const steps = await solveLab(v);
  const solved = solvedLab(v, steps);
  const cmds = solved.blocks.filter((b) => b.kind === "command");
  assert.deepEqual(
    cmds.map((b) => b.expected),
    steps.flatMap((s) => s.kind === "command" ? [s.output] : []),
  );
  const session = renderTranscript({
    header: { ...v.header, extra: [] },
    blocks: [
      ...cmds,
      { kind: "command", pid: "1", input: "# 1: 'A'", expected: [], line: 0 },
      { kind: "command", pid: "1", input: "# a note", expected: [], line: 0 },
      { kind: "command", pid: "1", input: "#2) 2 * 4K", expected: [], line: 0 },
    ],
  });
  assert.equal(sessionAnswers(parseTranscript(session)), "1: 'A'\n2) 2 * 4K");
  const r = await checkSession("lab.mm", solved, "me.mm", session);
  assert.equal(r.failed, 0, r.lines.join("\n"));
});

Deno.test("lab CLI: --check --seed checks a variant's session and the answers typed in it", async () => {
  const dir = await Deno.makeTempDir();
  const lab = parseTranscript(
    await Deno.readTextFile(
      new URL("../../scripts/labs/02-demand-paging-zero-page.mm", import.meta.url),
    ),
  );
  const v = variantOf(lab, 3);
  const steps = await solveLab(v);
  const answers = steps.flatMap((s) => s.kind === "answer" ? [`${s.question}: ${s.value}`] : []);
  const solved = solvedLab(v, steps);
  const session = (typed: string[]) =>
    renderTranscript({
      header: { ...v.header, extra: [] },
      blocks: [
        ...typed.map((input): Block => ({
          kind: "command",
          pid: "1",
          input,
          expected: [],
          line: 0,
        })),
        ...solved.blocks.filter((b) => b.kind === "command"),
      ],
    });
  await Deno.writeTextFile(`${dir}/right.mm`, session(answers.map((a) => `# ${a}`)));
  await Deno.writeTextFile(
    `${dir}/wrong.mm`,
    session(["# 1: 99", ...answers.slice(1).map((a) => `# ${a}`)]),
  );
  await Deno.writeTextFile(`${dir}/ans.txt`, answers.join("\n"));
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../repl/lab_main.ts", import.meta.url).pathname, ...args],
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder();
    return { code: out.code, text: text.decode(out.stdout), err: text.decode(out.stderr) };
  };
  const steps2 = solved.blocks.filter((b) => b.kind === "command").length;
  const n = answers.length;
  const right = await run("2", "--seed", "3", "--check", `${dir}/right.mm`);
  assert.equal(right.code, 0, right.text);
  assert.match(
    right.text,
    new RegExp(`${steps2} passed, 0 failed\\n(.*\\n)*score: ${steps2 + n}/${steps2 + n}\\n$`),
  );
  const wrong = await run("2", "--seed", "3", "--check", `${dir}/wrong.mm`);
  assert.equal(wrong.code, 1);
  assert.match(wrong.text, /question 1: 99 is not the answer\n/);
  assert.match(wrong.text, new RegExp(`score: ${steps2 + n - 1}/${steps2 + n}\\n$`));
  // As written, the variant's session differs at the steps whose numbers changed.
  const plain = await run("2", "--check", `${dir}/right.mm`);
  assert.equal(plain.code, 1);
  // --answers adds to --check's score (and replaces the typed answers).
  const both = await run(
    "2",
    "--seed",
    "3",
    "--check",
    `${dir}/wrong.mm`,
    "--answers",
    `${dir}/ans.txt`,
  );
  assert.equal(both.code, 0, both.text);
  const fixed = await run("12", "--seed", "3");
  assert.equal(fixed.code, 0);
  assert.match(fixed.err, /is as written: its numbers cannot vary \(the lesson is/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an answer that gives no value is no value, not the line before's", async () => {
  const s = new Session();
  await s.run("x = 5");
  assert.deepEqual(await answerValue(s, "x + 1"), { value: 6n });
  assert.deepEqual(await answerValue(s, "vars"), { error: "no value" });
});
