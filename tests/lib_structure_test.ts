/**
 * lib/'s structure: its folders import each other without cycles, and no
 * module holds mutable state shared by every Machine in the process. The
 * checks read lib/'s sources themselves (no tool outside the repository),
 * and their detectors are tested on small fake inputs first, so the test
 * can fail.
 *
 * A node of the import graph is a folder of lib/ (`mm`, `fs`, `proc`...) or
 * a file at lib/'s top (`machine.ts`). Only runtime imports count: an
 * `import type` (or an import whose every name is `type`) is erased by the
 * compiler and cannot order module evaluation. Re-exports
 * (`export ... from`) are runtime imports.
 */
import assert from "node:assert/strict";

/** The module specifiers `src` imports at runtime (static, re-export, side-effect, dynamic). */
export function runtimeImports(src: string): string[] {
  const out: string[] = [];
  const clause = /^(import|export)\s+(type\s+)?([^;]*?)\s*from\s*"([^"]+)"/gm;
  for (const m of src.matchAll(clause)) {
    if (m[2] !== undefined) continue; // import type / export type
    const names = m[3].trim();
    if (names.startsWith("{")) {
      const parts = names.slice(1, names.lastIndexOf("}")).split(",").map((s) => s.trim())
        .filter((s) => s !== "");
      if (parts.length > 0 && parts.every((s) => s.startsWith("type "))) continue;
    }
    out.push(m[4]);
  }
  for (const m of src.matchAll(/^import\s*"([^"]+)"/gm)) out.push(m[1]);
  for (const m of src.matchAll(/\bimport\(\s*"([^"]+)"\s*\)(?!\s*\.)/g)) out.push(m[1]);
  return out;
}

/** The graph node of a path relative to lib/: its first folder, or the file itself. */
export function nodeOf(rel: string): string {
  const i = rel.indexOf("/");
  return i < 0 ? rel : rel.slice(0, i);
}

/** Folder edges from {path relative to lib/: source}, each with the imports that make it. */
export function folderGraph(files: Map<string, string>): Map<string, Map<string, string[]>> {
  const g = new Map<string, Map<string, string[]>>();
  for (const [rel, src] of files) {
    for (const spec of runtimeImports(src)) {
      if (!spec.startsWith(".")) continue;
      const target = new URL(spec, `file:///lib/${rel}`).pathname;
      if (!target.startsWith("/lib/")) continue;
      const a = nodeOf(rel), b = nodeOf(target.slice("/lib/".length));
      if (a === b) continue;
      if (!g.has(a)) g.set(a, new Map());
      const why = g.get(a)!;
      why.set(b, [...(why.get(b) ?? []), `${rel} -> ${target.slice("/lib/".length)}`]);
    }
  }
  return g;
}

/** The strongly connected components of more than one node (Tarjan), each sorted. */
export function findCycles(edges: Map<string, Iterable<string>>): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>();
  const stack: string[] = [], onStack = new Set<string>(), out: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

const MUTATORS = "push|pop|shift|unshift|splice|sort|reverse|fill|copyWithin|set|add|delete|clear";

/**
 * Module-level mutable state in {path: source}: a top-level `let` or `var`;
 * a top-level `const` that starts as an empty array, object, Map, Set or
 * WeakMap (a table that exists only to be filled); a top-level `const`
 * array, object or collection that some file mutates by name (push, set,
 * add, delete..., an element or property assignment, Object.assign); a
 * static class field that is not readonly.
 */
export function mutableGlobals(files: Map<string, string>): string[] {
  const out: string[] = [];
  const all = [...files.values()].join("\n");
  const decl =
    /^(?:export\s+)?(let|var|const)\s+(\w+)\s*(?::\s*[^=]+?)?\s*=\s*(new\s+(?:Map|Set|WeakMap|WeakSet|Array)\b\s*(?:<[^>]*>)?\s*\(\s*(\)?)|\[\s*(\]?)|\{\s*(\}?))?/gm;
  for (const [rel, src] of files) {
    for (const m of src.matchAll(decl)) {
      const [, kind, name, init, emptyNew, emptyArr, emptyObj] = m;
      if (kind !== "const") {
        out.push(`${rel}: ${kind} ${name}`);
        continue;
      }
      if (init === undefined) continue; // a primitive or a call's result
      const empty = emptyNew === ")" || emptyArr === "]" || emptyObj === "}";
      const mutated = new RegExp(
        `\\b${name}\\s*(?:\\.(?:${MUTATORS})\\(|\\[[^\\]]*\\]\\s*=[^=]|\\.\\w+\\s*=[^=])|` +
          `Object\\.assign\\(\\s*${name}\\b`,
      ).test(all);
      if (empty || mutated) out.push(`${rel}: const ${name}`);
    }
    for (const m of src.matchAll(/^\s+static\s+(?!readonly\b)(\w+)\s*(?::[^=;(]+)?=/gm)) {
      out.push(`${rel}: static ${m[1]}`);
    }
  }
  return out;
}

async function libSources(): Promise<Map<string, string>> {
  const root = new URL("../lib/", import.meta.url);
  const files = new Map<string, string>();
  const walk = async (dir: URL, prefix: string) => {
    for await (const e of Deno.readDir(dir)) {
      if (e.isDirectory) await walk(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`);
      else if (e.name.endsWith(".ts")) {
        files.set(`${prefix}${e.name}`, await Deno.readTextFile(new URL(e.name, dir)));
      }
    }
  };
  await walk(root, "");
  return files;
}

// --- the detectors, on fake inputs --------------------------------------

Deno.test("lib structure: runtime imports skip type-only ones and keep re-exports", () => {
  const src = [
    'import type { Mm } from "../mm/mm.ts";',
    'import { type Vma, type VmaTree } from "../mm/vma.ts";',
    'import { type Inode, iput } from "./iput.ts";',
    "import {",
    "  PTE_PRESENT,",
    "  PTE_WRITE,",
    '} from "../mm/pagetable.ts";',
    'export { cpuRead } from "../arch/cpu.ts";',
    'export type { SigInfo } from "../abi/signal.ts";',
    'export * as mman from "../abi/mman.ts";',
    'import "./side_effect.ts";',
  ].join("\n");
  assert.deepEqual(runtimeImports(src), [
    "./iput.ts",
    "../mm/pagetable.ts",
    "../arch/cpu.ts",
    "../abi/mman.ts",
    "./side_effect.ts",
  ]);
});

Deno.test("lib structure: the cycle finder finds folder cycles, and none in a layered graph", () => {
  const g = (e: Record<string, string[]>) => new Map(Object.entries(e));
  assert.deepEqual(findCycles(g({ fs: ["mm"], mm: ["proc", "abi"], proc: ["fs"], abi: [] })), [
    ["fs", "mm", "proc"],
  ]);
  assert.deepEqual(findCycles(g({ a: ["b"], b: ["a"], c: ["d"], d: ["c", "a"] })), [
    ["a", "b"],
    ["c", "d"],
  ]);
  assert.deepEqual(findCycles(g({ arch: ["mm", "proc"], proc: ["mm", "fs"], fs: ["mm"] })), []);
  const files = new Map([
    ["mm/fault.ts", 'import { filemapFault } from "../fs/pagecache.ts";'],
    ["fs/pagecache.ts", 'import { markAccessed } from "../mm/swap.ts";'],
    ["proc/exit.ts", 'import type { Mm } from "../mm/mm.ts";'],
  ]);
  const graph = folderGraph(files);
  assert.deepEqual(graph.get("mm")?.get("fs"), ["mm/fault.ts -> fs/pagecache.ts"]);
  assert.equal(graph.get("proc"), undefined);
  assert.deepEqual(
    findCycles(new Map([...graph].map(([k, v]) => [k, [...v.keys()]]))),
    [["fs", "mm"]],
  );
});

Deno.test("lib structure: the state finder flags lets, tables that start empty or get mutated", () => {
  const files = new Map([
    ["a.ts", "let counter = 0;\nexport const hooks: Hook[] = [];\nconst T = new Map([[1, 2]]);"],
    ["b.ts", 'const seen = new Set<number>();\nconst NAMES = new Map<number, string>([[1, "a"]]);'],
    ["c.ts", "const LIST = [1, 2];\nexport function f() {\n  LIST.push(3);\n}"],
    ["d.ts", "export const CFG = { depth: 1 };\nfunction g() {\n  CFG.depth = 2;\n}"],
    ["e.ts", "class K {\n  static cache = new Map();\n  static readonly ok = 1;\n}"],
    ["f.ts", 'const OK: readonly string[] = ["x"];\nconst ALSO = { a: 1 } as const;'],
  ]);
  assert.deepEqual(mutableGlobals(files), [
    "a.ts: let counter",
    "a.ts: const hooks",
    "b.ts: const seen",
    "c.ts: const LIST",
    "d.ts: const CFG",
    "e.ts: static cache",
  ]);
});

// --- lib/ itself ----------------------------------------------------------

Deno.test("lib structure: lib/'s folders import each other without cycles", async () => {
  const graph = folderGraph(await libSources());
  const cycles = findCycles(new Map([...graph].map(([k, v]) => [k, [...v.keys()]])));
  const why = cycles.map((c) =>
    `cycle ${c.join(" <-> ")}:\n` +
    c.flatMap((a) => c.flatMap((b) => graph.get(a)?.get(b) ?? [])).map((s) => `  ${s}`).join("\n")
  );
  assert.deepEqual(why, [], why.join("\n"));
  // The layering this test keeps: nothing below mm imports it back.
  assert.ok(graph.get("fs")?.has("mm") && graph.get("proc")?.has("mm"));
});

Deno.test("lib structure: lib/ holds no module-level mutable state", async () => {
  assert.deepEqual(mutableGlobals(await libSources()), []);
});
