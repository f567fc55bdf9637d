/**
 * Every lab in scripts/labs, as written and under several seeds (five,
 * then as many as it takes for every declared value to be picked): each
 * question has a checked answer (`!=`) that evaluates; the answers
 * `--solve` shows, fed back as an answers file, score full marks, and one
 * wrong answer loses exactly one point; a variant keeps the lesson (each
 * step ends the same way: the same errnos and signals, no errors); a
 * recorded session of the variant, with its answers typed as `# N: VALUE`
 * comments, passes `--check --seed`.
 */
import assert from "node:assert/strict";
import {
  parseTranscript,
  renderTranscript,
  type Transcript,
} from "../../repl/transcript/format.ts";
import {
  checkAnswers,
  chooseValues,
  labFixed,
  type LabParam,
  labParams,
  sessionAnswers,
  solvedLab,
  type SolvedStep,
  solveLab,
  variantOf,
} from "../../repl/transcript/lab_variant.ts";
import { checkSession } from "../../repl/transcript/lab.ts";

const DIR = new URL("../../scripts/labs/", import.meta.url);
const LABS = [...Deno.readDirSync(DIR)]
  .filter((e) => e.isFile && e.name.endsWith(".mm"))
  .map((e) => e.name)
  .sort();
const SEEDS = [1, 2, 3, 4, 5];

/** Seeds past SEEDS until every value of every parameter has been picked once. */
function coveringSeeds(params: LabParam[]): number[] {
  const missing = new Set(params.flatMap((p) => p.values.map((v) => `${p.name}=${v}`)));
  for (const s of SEEDS) for (const [k, v] of chooseValues(params, s)) missing.delete(`${k}=${v}`);
  const extra: number[] = [];
  for (let s = 100; missing.size > 0 && s < 1100; s++) {
    const picks = [...chooseValues(params, s)].map(([k, v]) => `${k}=${v}`);
    if (picks.some((p) => missing.has(p))) {
      extra.push(s);
      for (const p of picks) missing.delete(p);
    }
  }
  assert.equal(missing.size, 0, `no seed picks ${[...missing].join(", ")}`);
  return extra;
}

type Answer = Extract<SolvedStep, { kind: "answer" }>;
const answersOf = (steps: SolvedStep[]) => steps.filter((s): s is Answer => s.kind === "answer");

/** How a step ended: errnos, signals with their si_code, errors, waits. */
function outcome(lines: readonly string[]): string {
  const out: string[] = [];
  for (const l of lines) {
    const e = /= -1 (E[A-Z0-9]+)/.exec(l);
    if (e) out.push(e[1]);
    const s = /^--- (SIG[A-Z0-9]+) \{si_signo=\w+, si_code=(\w+)/.exec(l);
    if (s) out.push(`${s[1]}/${s[2]}`);
    if (/^error( at column \d+)?: /.test(l)) out.push("error");
    if (l.includes("<unfinished ...>")) out.push("waits");
    if (l.includes("+++ killed")) out.push("killed");
  }
  return out.join(" ");
}

function answersText(answers: Answer[], wrong?: number): string {
  return answers.map((a) => `${a.question}: ${a.value! + (a.question === wrong ? 1n : 0n)}`)
    .join("\n");
}

async function solved(lab: Transcript, seed: number | undefined) {
  const variant = variantOf(lab, seed);
  return { variant, steps: await solveLab(variant) };
}

for (const name of LABS) {
  Deno.test(`lab ${name}: checked answers for every question, under ${SEEDS.length} seeds`, async () => {
    const lab = parseTranscript(Deno.readTextFileSync(new URL(name, DIR)));
    const questions = lab.blocks.filter((b) => b.kind === "question").length;
    const canon = await solved(lab, undefined);
    const canonOutcomes = canon.steps.flatMap((s) =>
      s.kind === "command" ? [outcome(s.output)] : []
    );
    const asked = new Set(answersOf(canon.steps).map((a) => a.question));
    assert.equal(asked.size, questions, `${name}: every question has a != answer`);
    const seen = new Set<string>();
    for (const seed of [undefined, ...SEEDS, ...coveringSeeds(labParams(lab))]) {
      const { variant, steps } = seed === undefined ? canon : await solved(lab, seed);
      const where = `${name} seed ${seed}`;
      const answers = answersOf(steps);
      for (const a of answers) {
        assert.notEqual(a.value, undefined, `${where}: ${a.expr}: ${a.error}`);
      }
      const outcomes = steps.flatMap((s) => s.kind === "command" ? [outcome(s.output)] : []);
      const cmds = steps.filter((s) => s.kind === "command");
      outcomes.forEach((o, i) =>
        assert.equal(
          o,
          canonOutcomes[i],
          `${where}: step ${i + 1} ${cmds[i].input} ended otherwise`,
        )
      );
      seen.add(answers.map((a) => a.value).join(","));
      const full = await checkAnswers(steps, "a.txt", answersText(answers));
      assert.equal(full.right, full.total, `${where}: ${full.lines.join("\n")}`);
      const wrong = await checkAnswers(steps, "a.txt", answersText(answers, answers[0].question));
      assert.equal(wrong.right, full.total - 1, `${where}: a wrong answer loses one point`);
      if (seed !== undefined && seed > 2) continue;
      // A student's recording of the variant, answers typed as comments, passes --check.
      const session = solvedLab(variant, steps);
      const typed = answers.map((a) => `  [1] mm> # ${a.question}: ${a.value}`);
      const text = renderTranscript({
        header: { ...session.header, extra: [] },
        blocks: session.blocks.filter((b) => b.kind === "command"),
      });
      const at = text.indexOf("\n\n") + 2;
      const withAnswers = text.slice(0, at) + typed.map((l) => l + "\n").join("") + text.slice(at);
      const against = seed === undefined ? lab : session;
      const check = await checkSession(name, against, "me.mm", withAnswers);
      assert.equal(check.failed, 0, `${where}: ${check.lines.join("\n")}`);
      const mine = await checkAnswers(steps, "me.mm", sessionAnswers(parseTranscript(withAnswers)));
      assert.equal(mine.right, mine.total, `${where}: ${mine.lines.join("\n")}`);
    }
    const params = labParams(lab);
    if (params.length > 0) {
      assert.ok(seen.size > 1, `${name}: the seeds give different answers`);
      assert.equal(labFixed(lab), undefined, `${name}: varies, yet says it is fixed`);
    } else assert.ok(labFixed(lab), `${name}: no # vary lines, and no # fixed: line says why`);
    // NAME.FORM lists are as long as NAME's: they take the value at the same position.
    for (const p of params) {
      const base = params.find((q) => q.name === p.name.split(".")[0]);
      assert.equal(p.values.length, base?.values.length, `${name}: vary.${p.name}`);
    }
  });
}
