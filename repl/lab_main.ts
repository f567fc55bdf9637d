/**
 * `deno task lab [NAME] [--solve] [--step] [--check SESSION] [--answers FILE] [--seed N]`
 *
 * Without NAME, lists the labs in scripts/labs. With NAME (a file name, its
 * number, or any unique part of it) shows the student view; `--solve` adds
 * the expected output and the answers; `--step` runs it a command at a
 * time; `--check SESSION` verifies a session the student recorded with
 * `deno task repl --record SESSION` (answers typed there as `# N: VALUE`
 * comments are checked too); `--answers FILE` checks the answers a student
 * wrote (`N: VALUE`); either prints a score. `--seed N` makes a variant of
 * the numbers the lab declares (repl/transcript/lab_variant.ts), and
 * `--check --seed N` checks a session of that variant.
 * @module
 */

import { fileErrorText } from "./os_error.ts";
import { Command, InvalidArgumentError } from "commander";
import { PLAIN_OUTPUT } from "./cli_output.ts";
import process from "node:process";
import { parseTranscript, TranscriptError } from "./transcript/format.ts";
import { checkSession, labTitle, labView } from "./transcript/lab.ts";
import { stepThrough } from "./transcript/step.ts";
import {
  checkAnswers,
  isCheckedAnswer,
  labFixed,
  labParams,
  sessionAnswers,
  solvedLab,
  solvedView,
  solveLab,
  studentView,
  variantOf,
} from "./transcript/lab_variant.ts";

const LABS = new URL("../scripts/labs/", import.meta.url);

/** The lab files: regular files (or links to them) named *.mm; a directory is no lab. */
function labFiles(): string[] {
  return [...Deno.readDirSync(LABS)]
    .filter((e) => e.name.endsWith(".mm") && (e.isFile || (e.isSymlink && isFile(e.name))))
    .map((e) => e.name)
    .sort();
}

function isFile(name: string): boolean {
  try {
    return Deno.statSync(new URL(name, LABS)).isFile;
  } catch {
    return false;
  }
}

/** A file's text, or why it cannot be read in a few words (no OS error codes). */
function readText(path: string | URL): { text: string } | { why: string } {
  try {
    if (Deno.statSync(path).isDirectory) return { why: "it is a directory" };
    return { text: Deno.readTextFileSync(path) };
  } catch (e) {
    return { why: fileErrorText(e) };
  }
}

/** Finds a lab by exact name, number, or unique substring. */
export function findLab(name: string, files: string[]): string | string[] {
  const exact = files.find((f) => f === name || f === `${name}.mm`);
  if (exact) return exact;
  const num = /^\d+$/.test(name)
    ? files.filter((f) => Number(f.split("-")[0]) === Number(name))
    : [];
  if (num.length === 1) return num[0];
  const some = files.filter((f) => f.includes(name));
  return some.length === 1 ? some[0] : some;
}

const program = new Command()
  .configureOutput(PLAIN_OUTPUT)
  .name("lab")
  .description("mmlab's teaching labs")
  .argument("[name]", "a lab: its file name, number, or a unique part of its name")
  .option("--solve", "show the expected output and the answers")
  .option("--step", "run the lab one command at a time")
  .option(
    "--check <session>",
    "verify a session recorded with npx -y deno@2.9.6 task repl --record",
  )
  .option("--answers <file>", "check a student's answers (lines N: VALUE) and print a score")
  .option(
    "--seed <n>",
    "a variant of the lab's numbers (where it declares # vary.NAME: lines)",
    (t: string) => {
      if (!/^\d+$/.test(t) || Number(t) > 0xffffffff) {
        throw new InvalidArgumentError("a seed is a whole number from 0 to 4294967295");
      }
      return Number(t);
    },
  )
  .exitOverride();
try {
  program.parse(["deno", "lab", ...Deno.args]);
} catch (e) {
  // --help and --version end here too, with exit code 0; usage errors exit 2.
  Deno.exit((e as { exitCode?: number }).exitCode === 0 ? 0 : 2);
}
const opts = program.opts<
  { solve?: boolean; step?: boolean; check?: string; answers?: string; seed?: number }
>();
const files = labFiles();
const name = program.args[0];
if (name === undefined) {
  for (const f of files) {
    try {
      console.log(
        `${f.padEnd(34)} ${labTitle(parseTranscript(Deno.readTextFileSync(new URL(f, LABS))))}`,
      );
    } catch {
      console.log(`${f.padEnd(34)} (malformed)`);
    }
  }
  Deno.exit(0);
}
const found = findLab(name, files);
if (typeof found !== "string") {
  console.error(
    found.length
      ? `lab: "${name}" matches ${found.join(", ")}`
      : `lab: no lab "${name}"; npx -y deno@2.9.6 task lab lists them`,
  );
  Deno.exit(2);
}
const path = new URL(found, LABS).pathname;
const rel = `scripts/labs/${found}`;
const read = readText(path);
if ("why" in read) {
  console.error(`lab: cannot read ${rel}: ${read.why}`);
  Deno.exit(2);
}
const text = read.text;
let lab;
try {
  lab = parseTranscript(text);
} catch (e) {
  if (e instanceof TranscriptError) {
    console.error(`${rel}:${e.line}: malformed lab: ${e.message}`);
    Deno.exit(1);
  }
  throw e;
}
const varies = labParams(lab).length > 0;
if (opts.seed !== undefined && !varies) {
  const why = labFixed(lab);
  console.error(
    why === undefined
      ? `lab: ${found} declares no numbers to vary (# vary.NAME: lines); it is as written`
      : `lab: ${found} is as written: its numbers cannot vary (${why})`,
  );
}
const variant = variantOf(lab, opts.seed);
if (opts.step && opts.seed !== undefined && varies) {
  console.error(
    "lab: --step runs the lab as written; --seed is for the view, --solve, --answers and --check",
  );
  Deno.exit(2);
}
if (opts.step) {
  const terminal = Deno.stdin.isTerminal();
  Deno.exit(await stepThrough(path, process.stdin, process.stdout, { terminal, questions: true }));
}
// --check (the session's steps, and the `# N: VALUE` answers typed in it) and
// --answers FILE add up to one score.
if (opts.check !== undefined || opts.answers !== undefined) {
  const steps = await solveLab(variant);
  const score = { right: 0, total: 0 };
  let answers: string | undefined;
  let answersFile = opts.answers ?? "";
  if (opts.check !== undefined) {
    const got = readText(opts.check);
    if ("why" in got) {
      console.error(`lab: cannot read ${opts.check}: ${got.why}`);
      Deno.exit(2);
    }
    // A variant's steps are checked against what the variant prints.
    const against = variant === lab ? lab : solvedLab(variant, steps);
    const r = await checkSession(rel, against, opts.check, got.text);
    for (const l of r.lines) console.log(l);
    console.log(`${r.passed} passed, ${r.failed} failed`);
    score.right += r.passed;
    score.total += r.passed + r.failed;
    if (opts.answers === undefined) {
      try {
        answers = sessionAnswers(parseTranscript(got.text));
        answersFile = opts.check;
      } catch {
        // checkSession said why the session is malformed.
      }
      if (answers === "") answers = undefined;
    }
  }
  if (opts.answers !== undefined) {
    const got = readText(opts.answers);
    if ("why" in got) {
      console.error(`lab: cannot read ${opts.answers}: ${got.why}`);
      Deno.exit(2);
    }
    answers = got.text;
  }
  if (answers !== undefined) {
    const r = await checkAnswers(steps, answersFile, answers);
    for (const l of r.lines) console.log(l);
    if (r.total === 0) console.log(`${found} declares no checked answers (!= lines)`);
    score.right += r.right;
    score.total += r.total;
  }
  console.log(`score: ${score.right}/${score.total}`);
  Deno.exit(score.right === score.total ? 0 : 1);
}
// A lab with checked answers numbers its questions (answers are `N: VALUE`), and --solve
// shows the answers' values (what the lab really prints).
if ((opts.seed !== undefined && varies) || lab.blocks.some(isCheckedAnswer)) {
  const view = opts.solve ? solvedView(variant, await solveLab(variant)) : studentView(variant);
  for (const l of view) console.log(l);
  Deno.exit(0);
}
for (const l of labView(lab, opts.solve ?? false)) console.log(l);
