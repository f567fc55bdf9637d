/**
 * `policy`: list the machine's behaviour knobs (value, choices, meaning)
 * or set one.
 * @module
 */

import { KNOBS, plannedKnobNote } from "../../mod.ts";
import { ReplError } from "../errors.ts";
import { didYouMean } from "../suggest.ts";
import type { Command, CommandContext } from "./types.ts";
import { actionRecord, viewRecord } from "../json_result.ts";

interface Knob {
  values: readonly string[];
  history: ReadonlyArray<readonly [string, string]>;
  meaning: string;
  area: string;
}

/** The knobs by name: a Map, so "constructor" or "__proto__" is no knob. */
const knobs: ReadonlyMap<string, Knob> = new Map(
  Object.entries(KNOBS as unknown as Record<string, Knob>),
);

/** Every knob name, in table order. */
export function knobNames(): string[] {
  return [...knobs.keys()];
}

function current(ctx: CommandContext, name: string): string {
  const all = ctx.machine.policies as Record<string, string>;
  return Object.hasOwn(all, name) ? all[name] : "(unset)";
}

function describe(ctx: CommandContext, name: string, long: boolean): string[] {
  const k = knobs.get(name)!;
  const out = [`${name} = ${current(ctx, name)}  [${k.values.join(", ")}]`, `    ${k.meaning}`];
  if (long) {
    out.push(`    history: ${k.history.map(([v, val]) => `${val} since ${v}`).join(", ")}`);
    out.push(`    area: ${k.area}`);
  }
  return out;
}

/** A knob as data: name, value, choices, meaning (and with `long`, its history and area). */
function knobData(ctx: CommandContext, name: string, long: boolean): Record<string, unknown> {
  const k = knobs.get(name)!;
  const d: Record<string, unknown> = {
    name,
    value: current(ctx, name),
    choices: [...k.values],
    meaning: k.meaning,
  };
  if (long) {
    d.history = k.history.map(([since, value]) => ({ value, since }));
    d.area = k.area;
  }
  return d;
}

function knobOrThrow(name: string, col: number): Knob {
  const k = knobs.get(name);
  const planned = plannedKnobNote(name);
  if (k === undefined && planned !== undefined) {
    throw new ReplError(planned, col, "policy lists the knobs that have code", "name");
  }
  if (k === undefined) {
    throw new ReplError(
      `unknown policy ${name}`,
      col,
      didYouMean(name, knobNames()) ?? "policy lists them",
      "name",
    );
  }
  return k;
}

/** The `policy` command. */
export const POLICY_COMMAND: Command = {
  name: "policy",
  form: "word",
  group: "session",
  args: [
    {
      name: "NAME",
      accepts: "word",
      optional: true,
      text: "a knob",
      complete: () => knobNames(),
    },
    {
      name: "VALUE",
      accepts: "word",
      optional: true,
      text: "one of its values",
      complete: (_ctx, before) => [...(knobs.get(before[0])?.values ?? [])],
    },
  ],
  summary: "list the behaviour knobs, show one, or set one",
  help: [
    "Every behaviour the kernel changed over time, or a proposal that never merged,",
    "is a knob. `policy` lists each with its value, its choices and its meaning;",
    "`policy NAME` adds its history; `policy NAME VALUE` sets it.",
  ].join("\n"),
  example: ["policy fork.pinnedPages", "policy fork.pinnedPages cow-steal"],
  needsProcess: false,
  run(ctx, [name, value]) {
    if (name === undefined) {
      ctx.record?.(viewRecord("policy", knobNames().map((n) => knobData(ctx, n, false))));
      for (const n of knobNames()) ctx.out.push(...describe(ctx, n, false));
      return undefined;
    }
    if (name.type !== "word") return undefined;
    const k = knobOrThrow(name.text, name.col);
    if (value === undefined || value.type !== "word") {
      ctx.record?.(viewRecord("policy", [knobData(ctx, name.text, true)]));
      ctx.out.push(...describe(ctx, name.text, true));
      return undefined;
    }
    if (!k.values.includes(value.text)) {
      throw new ReplError(
        `policy ${name.text} takes ${k.values.join(", ")}; not ${value.text}`,
        value.col,
        didYouMean(value.text, k.values),
        "usage",
      );
    }
    const was = current(ctx, name.text);
    const err = ctx.machine.setPolicy(name.text, value.text);
    if (err !== null) throw new ReplError(err, value.col, undefined, "usage");
    ctx.record?.(actionRecord("policy", { knob: name.text, value: value.text, was }));
    ctx.out.push(`${name.text} = ${value.text}`);
    return undefined;
  },
};
