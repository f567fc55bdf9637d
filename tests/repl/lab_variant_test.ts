import assert from "node:assert/strict";
import { parseTranscript } from "../../repl/transcript/format.ts";
import {
  checkAnswers,
  chooseValues,
  labParams,
  solvedView,
  solveLab,
  studentView,
  variantOf,
} from "../../repl/transcript/lab_variant.ts";
import { labView } from "../../repl/transcript/lab.ts";
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
