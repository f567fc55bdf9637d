/**
 * The lexer of the command language: C integer literals (decimal, 0x hex,
 * 0 octal, 0b binary) with K/M/G/T size suffixes and ignored C suffixes
 * (U, L, UL, ULL), 'c' character constants, "..." strings with C escapes,
 * identifiers, operators, and `#` comments to the end of the line.
 * Every token carries its 1-based column. Constants are 64-bit: one of
 * 2^64 or more is refused as a C compiler refuses it ("integer constant is
 * too large for its type"), after reading at most 64 significant digits, so
 * a literal of any length costs time linear in it.
 * @module
 */

import { ReplError } from "./errors.ts";

export type TokenType = "num" | "str" | "ident" | "op" | "eof";

export interface Token {
  type: TokenType;
  /** The source text of the token. */
  text: string;
  /** 1-based column of the first character. */
  col: number;
  /** The value of a number or character constant. */
  value?: bigint;
  /** The bytes of a string literal. */
  bytes?: Uint8Array;
}

/** Operators, longest first. */
const OPS = [
  "<<",
  ">>",
  "<=",
  ">=",
  "==",
  "!=",
  "<",
  ">",
  "+",
  "-",
  "*",
  "/",
  "%",
  "|",
  "&",
  "^",
  "~",
  "(",
  ")",
  ",",
  "=",
  "@",
  "{",
  "}",
  "[",
  "]",
];

/** The operators by their first character, longest first. */
const OPS_BY_FIRST: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const op of OPS) {
    const list = m.get(op[0]) ?? [];
    list.push(op);
    m.set(op[0], list);
  }
  return m;
})();

const SIZE_SUFFIX: ReadonlyMap<string, bigint> = new Map([
  ["K", 1n << 10n],
  ["M", 1n << 20n],
  ["G", 1n << 30n],
  ["T", 1n << 40n],
]);

/** The largest constant: unsigned long long's. */
const U64_MAX = (1n << 64n) - 1n;

/** C's integer suffixes (U, L, UL, LL, ULL in either order and case), read in place. */
const C_SUFFIX = /(?:[uU](?:ll|LL|l|L)?|(?:ll|LL|l|L)[uU]?)/y;

/** C's simple escapes. */
const ESCAPES: ReadonlyMap<string, number> = new Map([
  ["n", 10],
  ["t", 9],
  ["r", 13],
  ["a", 7],
  ["b", 8],
  ["f", 12],
  ["v", 11],
  ["e", 27],
  ["\\", 92],
  ['"', 34],
  ["'", 39],
  ["?", 63],
]);

/** A character for an error line: 'c' when printable ASCII, else its code point (U+0000). */
function shownChar(code: number): string {
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  if (code >= 0x21 && code < 0x7f) return `'${String.fromCharCode(code)}'`;
  return code > 0x7f && code !== 0xfeff && !/\p{C}|\p{Z}/u.test(String.fromCodePoint(code))
    ? `'${String.fromCodePoint(code)}' (${hex})`
    : hex;
}

/** The error for a constant of 2^64 or more. */
function tooLarge(col: number): ReplError {
  return new ReplError(
    "integer constant is too large for its type",
    col,
    "values are 64-bit: at most 0xffffffffffffffff",
  );
}

const isDigit = (c: string) => c >= "0" && c <= "9";
const isIdentStart = (c: string) => (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_";
const isIdentChar = (c: string) => isIdentStart(c) || isDigit(c);

/** Splits one command line into tokens on demand. */
export class Lexer {
  private pos = 0;
  private peeked: Token | null = null;

  constructor(readonly src: string) {}

  /** The next token without consuming it. */
  peek(): Token {
    if (this.peeked === null) this.peeked = this.scan();
    return this.peeked;
  }

  /** Consumes and returns the next token. */
  next(): Token {
    const t = this.peek();
    this.peeked = null;
    return t;
  }

  /** Whether only blanks and a comment are left. */
  atEnd(): boolean {
    return this.peek().type === "eof";
  }

  /**
   * A raw whitespace-delimited word at the current position (for arguments
   * such as policy names and values that are not expressions), or null at
   * the end of the line.
   */
  word(): { text: string; col: number } | null {
    if (this.peeked !== null) {
      this.pos = this.peeked.col - 1;
      this.peeked = null;
    }
    this.skipBlanks();
    if (this.pos >= this.src.length || this.src[this.pos] === "#") return null;
    const start = this.pos;
    while (this.pos < this.src.length && !/\s/.test(this.src[this.pos])) this.pos++;
    return { text: this.src.slice(start, this.pos), col: start + 1 };
  }

  /** The 1-based column of the next token. */
  col(): number {
    return this.peek().col;
  }

  private skipBlanks(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }

  private scan(): Token {
    this.skipBlanks();
    const s = this.src;
    const start = this.pos;
    const col = start + 1;
    if (start >= s.length || s[start] === "#") {
      this.pos = s.length;
      return { type: "eof", text: "", col };
    }
    const c = s[start];
    if (isDigit(c)) return this.number();
    if (isIdentStart(c)) {
      while (this.pos < s.length && isIdentChar(s[this.pos])) this.pos++;
      return { type: "ident", text: s.slice(start, this.pos), col };
    }
    if (c === '"') return this.string();
    if (c === "'") return this.char();
    for (const op of OPS_BY_FIRST.get(c) ?? []) {
      if (s.startsWith(op, start)) {
        this.pos += op.length;
        return { type: "op", text: op, col };
      }
    }
    throw new ReplError(`unexpected character ${shownChar(s.codePointAt(start)!)}`, col);
  }

  private number(): Token {
    const s = this.src;
    const start = this.pos;
    const col = start + 1;
    const c0 = s[start];
    let digits: string;
    let radix: bigint;
    let prefix = "";
    const x = s[start + 1];
    if (c0 === "0" && (x === "x" || x === "X")) {
      prefix = "0x";
      radix = 16n;
      this.pos += 2;
      digits = this.take(/[0-9A-Fa-f]/);
    } else if (c0 === "0" && (x === "b" || x === "B")) {
      prefix = "0b";
      radix = 2n;
      this.pos += 2;
      digits = this.take(/[0-9]/);
    } else if (s[start] === "0") {
      radix = 8n;
      digits = this.take(/[0-9]/);
    } else {
      radix = 10n;
      digits = this.take(/[0-9]/);
    }
    if (prefix !== "" && digits === "") {
      throw new ReplError(`'${prefix}' needs digits after it`, col);
    }
    let value = 0n;
    for (let i = 0; i < digits.length; i++) {
      // Leading zeros change nothing (a megabyte of them costs no BigInt work).
      if (value === 0n && digits[i] === "0") continue;
      const d = BigInt(parseInt(digits[i], 16));
      if (d >= radix) {
        const name = radix === 8n ? "octal" : "binary";
        throw new ReplError(
          `invalid digit "${digits[i]}" in ${name} constant`,
          col + prefix.length + i,
          radix === 8n ? "a leading 0 means octal, as in C" : undefined,
        );
      }
      value = value * radix + d;
      if (value > U64_MAX) throw tooLarge(col);
    }
    // A size suffix, then C's integer suffixes (ignored: values are 64-bit).
    const scale = SIZE_SUFFIX.get((s[this.pos] ?? "").toUpperCase());
    if (scale !== undefined) {
      value *= scale;
      this.pos++;
      if (value > U64_MAX) throw tooLarge(col);
    }
    C_SUFFIX.lastIndex = this.pos;
    const cSuffix = C_SUFFIX.exec(s);
    if (cSuffix) this.pos += cSuffix[0].length;
    if (this.pos < s.length && isIdentChar(s[this.pos])) {
      const bad = s.slice(start, this.pos) + this.take(/[A-Za-z0-9_]/);
      throw new ReplError(
        `bad number "${bad}"`,
        col,
        "sizes take one suffix K, M, G or T (16K = 16384)",
      );
    }
    return { type: "num", text: s.slice(start, this.pos), col, value };
  }

  private take(re: RegExp): string {
    const start = this.pos;
    while (this.pos < this.src.length && re.test(this.src[this.pos])) this.pos++;
    return this.src.slice(start, this.pos);
  }

  /** One character of a string or char literal, escapes decoded. */
  private charCode(quote: string, startCol: number): number {
    const s = this.src;
    const c = s[this.pos];
    if (c === undefined) {
      throw new ReplError(
        quote === '"' ? "unterminated string" : "unterminated character constant",
        startCol,
        `close it with ${quote}`,
      );
    }
    if (c !== "\\") {
      this.pos++;
      return c.codePointAt(0)!;
    }
    const e = s[this.pos + 1];
    const simple = e === undefined ? undefined : ESCAPES.get(e);
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    if (e === "x") {
      this.pos += 2;
      const hex = this.take(/[0-9A-Fa-f]/);
      if (hex === "") throw new ReplError("\\x needs hex digits", this.pos - 1);
      return parseInt(hex, 16) & 0xff;
    }
    if (e !== undefined && /[0-7]/.test(e)) {
      this.pos++;
      let oct = "";
      while (oct.length < 3 && /[0-7]/.test(s[this.pos] ?? "")) oct += s[this.pos++];
      return parseInt(oct, 8) & 0xff;
    }
    throw new ReplError(`unknown escape \\${e ?? ""}`, this.pos + 1);
  }

  private string(): Token {
    const start = this.pos;
    const col = start + 1;
    this.pos++;
    const bytes: number[] = [];
    while (this.src[this.pos] !== '"') {
      const raw = this.src[this.pos] !== "\\";
      const code = this.charCode('"', col);
      if (raw && code > 0x7f) bytes.push(...new TextEncoder().encode(String.fromCodePoint(code)));
      else bytes.push(code);
      if (code > 0xffff) this.pos++; // a surrogate pair
    }
    this.pos++;
    return {
      type: "str",
      text: this.src.slice(start, this.pos),
      col,
      bytes: Uint8Array.from(bytes),
    };
  }

  private char(): Token {
    const start = this.pos;
    const col = start + 1;
    this.pos++;
    if (this.src[this.pos] === "'") throw new ReplError("empty character constant", col);
    const code = this.charCode("'", col);
    if (this.src[this.pos] !== "'") {
      throw new ReplError("unterminated character constant", col, "one character between '...'");
    }
    this.pos++;
    return { type: "num", text: this.src.slice(start, this.pos), col, value: BigInt(code) };
  }
}
