/**
 * The regular expressions of ` (re)` lines, matched in linear time.
 *
 * JavaScript's RegExp backtracks: `(.*)*x` against a long line, or
 * `.*.*.*.*x`, runs for minutes. A transcript is untrusted input, so an
 * `(re)` line is compiled here into a small program and run as a Pike VM
 * (a Thompson NFA simulated over all states at once): the cost is at most
 * (line length + 1) x (program size), whatever the pattern.
 *
 * Accepted syntax (a subset of JavaScript's, same meaning; the whole line
 * must match, as if wrapped in `^(?:...)$`):
 *
 * ```
 * literal characters        a  =  0x  (also escaped punctuation: \. \( \[ \\ ...)
 * any character             .
 * classes                   [0-9a-f]  [^ ]  \d \D \w \W \s \S  \t \n \r \f \v \0  \xHH \uHHHH
 * groups                    (...)  (?:...)  (?<name>...)
 * alternation               a|b
 * repetition                *  +  ?  {n}  {n,}  {n,m}  (a trailing ? — lazy — is accepted)
 * anchors                   ^  $
 * ```
 *
 * Backreferences (\1, \k<name>), lookaround ((?=, (?!, (?<=, (?<!), word
 * boundaries (\b, \B) and Unicode property escapes are refused with a
 * message saying so: they are what makes matching exponential. A pattern
 * longer than {@link MAX_PATTERN} characters, or one whose repetitions
 * expand past {@link MAX_PROGRAM} instructions, is refused too.
 * @module
 */

/** Longest `(re)` pattern accepted, in characters. */
export const MAX_PATTERN = 1000;
/** Largest compiled program (instructions, after `{n,m}` expansion). */
export const MAX_PROGRAM = 1000;

/** A pattern that is not a regular expression, or one replay refuses. */
export class RegexError extends Error {}

/** A set of UTF-16 code units: inclusive ranges, possibly negated. */
interface CharSet {
  ranges: [number, number][];
  negate: boolean;
}

type Node =
  | { t: "set"; set: CharSet }
  | { t: "cat"; items: Node[] }
  | { t: "alt"; items: Node[] }
  | { t: "rep"; node: Node; min: number; max: number }
  | { t: "bol" }
  | { t: "eol" };

const DIGIT: [number, number][] = [[48, 57]];
const WORD: [number, number][] = [[48, 57], [65, 90], [95, 95], [97, 122]];
const SPACE: [number, number][] = [
  [9, 13],
  [32, 32],
  [0xa0, 0xa0],
  [0x1680, 0x1680],
  [0x2000, 0x200a],
  [0x2028, 0x2029],
  [0x202f, 0x202f],
  [0x205f, 0x205f],
  [0x3000, 0x3000],
  [0xfeff, 0xfeff],
];
/** `.` without the s flag: anything but line terminators. */
const DOT: CharSet = { ranges: [[10, 10], [13, 13], [0x2028, 0x2029]], negate: true };

function complement(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  let lo = 0;
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    if (a > lo) out.push([lo, a - 1]);
    lo = Math.max(lo, b + 1);
  }
  if (lo <= 0xffff) out.push([lo, 0xffff]);
  return out;
}

/** Recursive-descent parser over the pattern text. */
class Parser {
  private i = 0;
  constructor(private readonly src: string) {}

  parse(): Node {
    const n = this.alt();
    if (this.i < this.src.length) throw new RegexError(`unmatched ")" at column ${this.i + 1}`);
    return n;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alt(): Node {
    const items = [this.cat()];
    while (this.peek() === "|") {
      this.i++;
      items.push(this.cat());
    }
    return items.length === 1 ? items[0] : { t: "alt", items };
  }

  private cat(): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === "|" || c === ")") break;
      items.push(this.repeat(this.atom()));
    }
    return { t: "cat", items };
  }

  private repeat(atom: Node): Node {
    let node = atom;
    for (;;) {
      const c = this.peek();
      let min: number, max: number;
      if (c === "*") [min, max] = [0, Infinity];
      else if (c === "+") [min, max] = [1, Infinity];
      else if (c === "?") [min, max] = [0, 1];
      else if (c === "{") {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
        if (!m) return node; // a literal "{", as JavaScript reads it
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? Infinity : Number(m[3]);
        if (max < min) throw new RegexError(`numbers out of order in ${m[0]}`);
        if (min > MAX_PROGRAM) throw new RegexError(`repetition ${m[0]} is too large`);
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.peek() === "?") this.i++; // lazy: the same set of full matches
      if (node.t === "bol" || node.t === "eol") {
        throw new RegexError(`nothing to repeat at column ${this.i}`);
      }
      if (node.t === "rep") throw new RegexError(`nothing to repeat at column ${this.i}`);
      node = { t: "rep", node, min, max: Math.min(max, Infinity) };
    }
  }

  private atom(): Node {
    const c = this.src[this.i++];
    if (c === "(") {
      if (this.src.startsWith("?:", this.i)) this.i += 2;
      else if (/^\?<[A-Za-z_$][\w$]*>/.test(this.src.slice(this.i))) {
        this.i = this.src.indexOf(">", this.i) + 1;
      } else if (this.peek() === "?") {
        throw new RegexError(
          `lookaround "(${this.src.slice(this.i, this.i + 3)}" is not supported in (re) lines`,
        );
      }
      const inner = this.alt();
      if (this.peek() !== ")") throw new RegexError(`unterminated group`);
      this.i++;
      return inner;
    }
    if (c === "*" || c === "+" || c === "?") {
      throw new RegexError(`nothing to repeat at column ${this.i}`);
    }
    if (c === ")") throw new RegexError(`unmatched ")" at column ${this.i}`);
    if (c === "^") return { t: "bol" };
    if (c === "$") return { t: "eol" };
    if (c === ".") return { t: "set", set: DOT };
    if (c === "[") return { t: "set", set: this.charClass() };
    if (c === "\\") return { t: "set", set: this.escape(false) };
    return { t: "set", set: { ranges: [[c.charCodeAt(0), c.charCodeAt(0)]], negate: false } };
  }

  /** After a backslash: a class escape or a single character. */
  private escape(inClass: boolean): CharSet {
    const c = this.src[this.i++];
    if (c === undefined) throw new RegexError(`"\\" at end of pattern`);
    const one = (n: number): CharSet => ({ ranges: [[n, n]], negate: false });
    switch (c) {
      case "d":
        return { ranges: DIGIT, negate: false };
      case "D":
        return { ranges: DIGIT, negate: true };
      case "w":
        return { ranges: WORD, negate: false };
      case "W":
        return { ranges: WORD, negate: true };
      case "s":
        return { ranges: SPACE, negate: false };
      case "S":
        return { ranges: SPACE, negate: true };
      case "t":
        return one(9);
      case "n":
        return one(10);
      case "r":
        return one(13);
      case "f":
        return one(12);
      case "v":
        return one(11);
      case "0":
        if (!/[0-9]/.test(this.peek() ?? "")) return one(0);
        break;
      case "x":
      case "u": {
        const len = c === "x" ? 2 : 4;
        const hex = this.src.slice(this.i, this.i + len);
        if (new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) {
          this.i += len;
          return one(parseInt(hex, 16));
        }
        return one(c.charCodeAt(0));
      }
      case "b":
        if (inClass) return one(8);
    }
    if (/[0-9]/.test(c)) {
      throw new RegexError(`backreference \\${c} is not supported in (re) lines`);
    }
    if (/[A-Za-z]/.test(c)) throw new RegexError(`\\${c} is not supported in (re) lines`);
    return one(c.charCodeAt(0));
  }

  private charClass(): CharSet {
    let negate = false;
    if (this.peek() === "^") {
      negate = true;
      this.i++;
    }
    const ranges: [number, number][] = [];
    for (;;) {
      const c = this.src[this.i++];
      if (c === undefined) throw new RegexError(`unterminated character class`);
      if (c === "]") break;
      let lo: number;
      if (c === "\\") {
        const s = this.escape(true);
        if (s.negate || s.ranges.length !== 1 || s.ranges[0][0] !== s.ranges[0][1]) {
          ranges.push(...(s.negate ? complement(s.ranges) : s.ranges));
          continue;
        }
        lo = s.ranges[0][0];
      } else lo = c.charCodeAt(0);
      if (this.peek() === "-" && this.src[this.i + 1] !== "]" && this.src[this.i + 1]) {
        this.i++;
        const d = this.src[this.i++];
        let hi: number;
        if (d === "\\") {
          const s = this.escape(true);
          if (s.negate || s.ranges.length !== 1 || s.ranges[0][0] !== s.ranges[0][1]) {
            throw new RegexError(`range out of order in character class`);
          }
          hi = s.ranges[0][0];
        } else hi = d.charCodeAt(0);
        if (hi < lo) throw new RegexError(`range out of order in character class`);
        ranges.push([lo, hi]);
      } else ranges.push([lo, lo]);
    }
    return { ranges, negate };
  }
}

/** Program instructions. */
type Inst =
  | { op: "set"; set: CharSet }
  | { op: "split"; x: number; y: number }
  | { op: "jmp"; x: number }
  | { op: "bol" }
  | { op: "eol" }
  | { op: "match" };

function compile(root: Node): Inst[] {
  const prog: Inst[] = [];
  const emit = (i: Inst): number => {
    if (prog.length >= MAX_PROGRAM) {
      throw new RegexError(`pattern too large once repetitions are expanded`);
    }
    prog.push(i);
    return prog.length - 1;
  };
  const gen = (n: Node): void => {
    switch (n.t) {
      case "set":
        emit({ op: "set", set: n.set });
        return;
      case "bol":
      case "eol":
        emit({ op: n.t });
        return;
      case "cat":
        for (const it of n.items) gen(it);
        return;
      case "alt": {
        const jumps: number[] = [];
        for (let k = 0; k < n.items.length - 1; k++) {
          const split = emit({ op: "split", x: 0, y: 0 });
          (prog[split] as { x: number }).x = prog.length;
          gen(n.items[k]);
          jumps.push(emit({ op: "jmp", x: 0 }));
          (prog[split] as { y: number }).y = prog.length;
        }
        gen(n.items[n.items.length - 1]);
        for (const j of jumps) (prog[j] as { x: number }).x = prog.length;
        return;
      }
      case "rep": {
        for (let k = 0; k < n.min; k++) gen(n.node);
        if (n.max === Infinity) {
          const split = emit({ op: "split", x: 0, y: 0 });
          (prog[split] as { x: number }).x = prog.length;
          gen(n.node);
          emit({ op: "jmp", x: split });
          (prog[split] as { y: number }).y = prog.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = emit({ op: "split", x: 0, y: 0 });
            (prog[split] as { x: number }).x = prog.length;
            splits.push(split);
            gen(n.node);
          }
          for (const s of splits) (prog[s] as { y: number }).y = prog.length;
        }
        return;
      }
    }
  };
  gen(root);
  emit({ op: "match" });
  return prog;
}

function inSet(set: CharSet, c: number): boolean {
  let hit = false;
  for (const [a, b] of set.ranges) {
    if (c >= a && c <= b) {
      hit = true;
      break;
    }
  }
  return hit !== set.negate;
}

/** Adds the other case of every ASCII letter to each set of `n` (before negation applies). */
function foldCase(n: Node): void {
  if (n.t === "set") {
    const extra: [number, number][] = [];
    for (const [a, b] of n.set.ranges) {
      for (const [lo, hi, d] of [[65, 90, 32], [97, 122, -32]]) {
        const x = Math.max(a, lo), y = Math.min(b, hi);
        if (x <= y) extra.push([x + d, y + d]);
      }
    }
    // A new set: class escapes (\w, .) share their ranges between patterns.
    if (extra.length > 0) n.set = { ranges: [...n.set.ranges, ...extra], negate: n.set.negate };
  } else if (n.t === "cat" || n.t === "alt") n.items.forEach(foldCase);
  else if (n.t === "rep") foldCase(n.node);
}

/** A compiled `(re)` pattern: {@link LineRegex.test} matches a whole line. */
export class LineRegex {
  private readonly prog: Inst[];
  // Work lists reused by every test() (a replay runs the same line often).
  private cur: Int32Array;
  private next: Int32Array;
  /** mark[pc] === gen when pc is already in the list being built. */
  private readonly mark: Int32Array;
  private readonly stack: Int32Array;
  private gen = 0;
  /**
   * Threads the last {@link test} advanced, summed over its positions: at
   * most (line length + 1) x {@link size}, whatever the pattern.
   */
  steps = 0;

  /**
   * `opts.search`: a match anywhere in the line (grep), not the whole line;
   * `opts.ignoreCase`: ASCII letters match either case (grep -i).
   */
  constructor(readonly source: string, opts: { search?: boolean; ignoreCase?: boolean } = {}) {
    if (source.length > MAX_PATTERN) {
      throw new RegexError(`pattern longer than ${MAX_PATTERN} characters`);
    }
    try {
      new RegExp(source);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new RegexError(msg.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, ""));
    }
    let root = new Parser(source).parse();
    if (opts.ignoreCase) foldCase(root);
    if (opts.search) {
      const any: Node = {
        t: "rep",
        node: { t: "set", set: { ranges: [], negate: true } },
        min: 0,
        max: Infinity,
      };
      root = { t: "cat", items: [any, root, any] };
    }
    this.prog = compile(root);
    const n = this.prog.length;
    this.cur = new Int32Array(n);
    this.next = new Int32Array(n);
    this.mark = new Int32Array(n).fill(-1);
    this.stack = new Int32Array(n * 2 + 2);
  }

  /** Instructions in the compiled program. */
  get size(): number {
    return this.prog.length;
  }

  /** Adds `start` and what it reaches without reading a character to `list`. */
  private add(list: Int32Array, len: number, start: number, pos: number, end: number): number {
    const { prog, mark, stack, gen } = this;
    let sp = 0;
    stack[sp++] = start;
    while (sp > 0) {
      const pc = stack[--sp];
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const ins = prog[pc];
      if (ins.op === "jmp") stack[sp++] = ins.x;
      else if (ins.op === "split") {
        stack[sp++] = ins.y;
        stack[sp++] = ins.x;
      } else if (ins.op === "bol") {
        if (pos === 0) stack[sp++] = pc + 1;
      } else if (ins.op === "eol") {
        if (pos === end) stack[sp++] = pc + 1;
      } else list[len++] = pc;
    }
    return len;
  }

  private step(): void {
    if (++this.gen === 0x7fffffff) {
      this.mark.fill(-1);
      this.gen = 0;
    }
  }

  /** Does the whole of `line` match? Cost O(line.length x program size). */
  test(line: string): boolean {
    const prog = this.prog;
    const end = line.length;
    let cur = this.cur, next = this.next;
    this.step();
    let nCur = this.add(cur, 0, 0, 0, end);
    let steps = nCur;
    for (let pos = 0; pos < end && nCur > 0; pos++) {
      const c = line.charCodeAt(pos);
      this.step();
      let nNext = 0;
      for (let k = 0; k < nCur; k++) {
        const ins = prog[cur[k]];
        if (ins.op === "set" && inSet(ins.set, c)) {
          nNext = this.add(next, nNext, cur[k] + 1, pos + 1, end);
        }
      }
      [cur, next] = [next, cur];
      nCur = nNext;
      steps += nCur;
    }
    this.steps = steps;
    for (let k = 0; k < nCur; k++) if (prog[cur[k]].op === "match") return true;
    return false;
  }
}
