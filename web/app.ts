/**
 * The web view's server side without the socket: one REPL session (the
 * same repl/session.ts the terminal drives), an optional transcript to step
 * through, and `handle(request)`, which answers the page's requests. The
 * tests call `handle` directly; web/server.ts puts it behind Deno.serve.
 *
 * Requests (all answers JSON but `/` and `/events`):
 * ```
 * GET  /                       the page
 * GET  /api/state              processes, VMAs, frames, PCI, dmesg tail, replay position
 * GET  /api/strip?pid&lo&hi&width   one process's address-space strip over [lo, hi)
 * GET  /api/page?pid&addr      a page's PTE, frame and the frame's owners
 * GET  /api/frame?pfn[&n]      a frame's counts and owners (the most telling of n)
 * GET  /api/smaps?pid&addr     the smaps entry of the VMA holding addr
 * GET  /api/explain?pid&addr   explain's read, write and exec of the page (changes nothing)
 * GET  /api/complete?line      the REPL's completions for a line
 * POST /api/command {line}     runs a line: {output, prompt, seq, trace?}
 * POST /api/trace {on}         tracing on or off: {on}
 * POST /api/replay {action: "next" | "prev" | "goto", step?}
 * GET  /api/events             server-sent events: `update` after every command
 * ```
 * With tracing on, a command's kernel path steps come as data in `trace`
 * (and a replay step's in `last.trace`), out of its output lines; off,
 * neither exists and the machine traces nothing.
 *
 * A bad request gets status 400 (404 for an unknown path) and one
 * `{"error": "..."}`; nothing a client sends can stop the server.
 * @module
 */

import {
  KernelTrace,
  type Machine,
  type MachineConfig,
  type Process,
  type TraceStep,
} from "../mod.ts";
import { type RunResult, Session } from "../repl/session.ts";
import { complete } from "../repl/complete.ts";
import { parseTranscript, type Transcript, TranscriptError } from "../repl/transcript/format.ts";
import { sessionFor } from "../repl/transcript/replay.ts";
import { isCheckedAnswer } from "../repl/transcript/lab_variant.ts";
import {
  cellFrame,
  frameJson,
  pageJson,
  smapsAt,
  type StateJson,
  stateJson,
  stripJson,
  USER_TOP,
} from "./state.ts";
import { explainJson, withoutTraceLines } from "./teach.ts";

/** A bad request: answered with status 400 (or `status`) and the message. */
export class RequestError extends Error {
  constructor(message: string, readonly status = 400) {
    super(message);
  }
}

/** One command of a transcript being stepped through, with the prose before it. */
export interface ReplayStep {
  /** Prose and questions between the previous command and this one. */
  text: string[];
  input: string;
  expected: string[];
}

/** Where a replay stands: `step` commands of `total` have run. */
export interface ReplayJson {
  file: string;
  title: string;
  step: number;
  total: number;
  /** The command that ran last (step - 1), and what it printed; null at step 0. */
  last: {
    input: string;
    output: string[];
    expected: string[];
    text: string[];
    /** Its kernel path steps, when tracing was on. */
    trace?: TraceStep[];
  } | null;
  /** The command the next step runs, null at the end. */
  next: { input: string; text: string[] } | null;
}

/** The state the page draws: the machine's, plus the replay position. */
export interface AppState extends StateJson {
  replay: ReplayJson | null;
  /** Whether the machine traces (`trace on`, or the page's toggle). */
  trace: boolean;
}

/** What a command line answers. */
export interface CommandJson {
  output: string[];
  prompt: string;
  seq: number;
  error?: string;
  /**
   * The line's kernel path steps when tracing is on (its output then lacks
   * their lines); absent when off.
   */
  trace?: TraceStep[];
}

/** How to build the app. */
export interface WebAppOptions {
  /** The machine of a free session (ignored with `replay`). */
  config?: MachineConfig;
  /** A transcript to step through: its name and text. */
  replay?: { file: string; text: string };
}

const PAGE = 4096;

/** The longest command line accepted. */
export const MAX_LINE = 64 * 1024;

type Listener = (seq: number) => void;

/** The server's one session and what the page asks of it. */
export class WebApp {
  session: Session;
  /** Changes made (moves on every command, replay step and trace toggle). */
  seq = 0;
  private readonly listeners = new Set<Listener>();
  /** Lines run one after another: a command never starts while another runs. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly transcript: Transcript | null = null;
  private readonly steps: ReplayStep[] = [];
  private readonly replayFile: string = "";
  private step = 0;
  private lastOutput: string[] = [];
  private lastTrace: TraceStep[] | undefined;
  /**
   * Whether tracing is wanted: it follows `trace on|off` typed in the
   * command box and the page's toggle, and carries over to a machine built
   * afresh (reset, restore, undo, a replay stepped back).
   */
  private traceOn = false;

  /** Throws {@link TranscriptError} for a malformed transcript. */
  constructor(opts: WebAppOptions = {}) {
    if (opts.replay !== undefined) {
      const t = parseTranscript(opts.replay.text);
      this.transcript = t;
      this.replayFile = opts.replay.file;
      let text: string[] = [];
      for (const b of t.blocks) {
        // A `!= EXPR` line is the grader's answer: not shown to the student.
        if (b.kind === "prose" && !isCheckedAnswer(b)) text.push(b.text);
        else if (b.kind === "question") text.push(`? ${b.text}`);
        else if (b.kind === "command") {
          this.steps.push({ input: b.input, expected: b.expected, text });
          text = [];
        }
      }
      if (this.steps.length === 0) throw new TranscriptError(1, "no commands to step through");
      this.session = sessionFor(t);
    } else {
      this.session = new Session({ config: opts.config ?? {} });
    }
  }

  /** Called with the new seq after every command; returns the unsubscribe. */
  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    this.seq++;
    for (const fn of [...this.listeners]) {
      try {
        fn(this.seq);
      } catch {
        this.listeners.delete(fn);
      }
    }
  }

  /** Runs `job` after every job queued before it. */
  private serial<T>(job: () => Promise<T>): Promise<T> {
    const r = this.queue.then(job);
    this.queue = r.catch(() => undefined);
    return r;
  }

  /**
   * Runs one line in the session; the machine's tracer then follows the
   * line's `trace on|off` or, on a machine built afresh, what was wanted.
   */
  private async runLine(line: string): Promise<RunResult & { trace?: TraceStep[] }> {
    const before = this.session.machine;
    const r = await this.session.run(line);
    const m = this.session.machine;
    if (m === before) this.traceOn = m.trace !== null;
    else this.applyTrace(m);
    // Traced: the steps, none if the line reached no traced path; off: no key at all.
    const steps = r.data?.trace ?? (m.trace !== null ? [] : undefined);
    if (steps === undefined) return r;
    return { ...r, output: withoutTraceLines(r.output, steps), trace: steps };
  }

  /** Gives machine `m` a tracer, or none, as {@link traceOn} says. */
  private applyTrace(m: Machine): void {
    if (!this.traceOn) m.trace = null;
    else m.trace ??= new KernelTrace();
  }

  /** Turns tracing on or off (the REPL's `trace on|off`, without a line in the history). */
  setTrace(on: boolean): Promise<{ on: boolean }> {
    return this.serial(() => {
      this.traceOn = on;
      this.applyTrace(this.session.machine);
      this.changed();
      return Promise.resolve({ on });
    });
  }

  /** Runs one REPL line in the session. */
  command(line: string): Promise<CommandJson> {
    return this.serial(async () => {
      const r = await this.runLine(line);
      this.changed();
      const out: CommandJson = {
        output: r.output,
        prompt: this.session.prompt(),
        seq: this.seq,
      };
      if (r.error) out.error = r.error.message;
      if (r.trace !== undefined) out.trace = r.trace;
      if (r.request !== undefined) {
        out.output = [...r.output, "(recording is not available in the web view)"];
      }
      return out;
    });
  }

  /** The replay position, or null without a transcript. */
  replayJson(): ReplayJson | null {
    if (this.transcript === null) return null;
    const last = this.step > 0 ? this.steps[this.step - 1] : null;
    const next = this.step < this.steps.length ? this.steps[this.step] : null;
    const title = this.transcript.blocks.find((b) => b.kind === "prose");
    return {
      file: this.replayFile,
      title: title?.kind === "prose" ? title.text.split("\n")[0] : this.replayFile,
      step: this.step,
      total: this.steps.length,
      last: last === null ? null : {
        input: last.input,
        output: this.lastOutput,
        expected: last.expected,
        text: last.text,
        ...(this.lastTrace !== undefined ? { trace: this.lastTrace } : {}),
      },
      next: next === null ? null : { input: next.input, text: next.text },
    };
  }

  /**
   * Moves the replay to `step` commands run: forwards runs the next
   * commands in the session; backwards builds the transcript's machine
   * afresh and runs the first `step` (the machine is deterministic, so
   * this is the state `replay --step` shows there).
   */
  goto(step: number): Promise<ReplayJson> {
    return this.serial(async () => {
      if (this.transcript === null) {
        throw new RequestError("no transcript: start with --replay FILE");
      }
      if (!Number.isInteger(step) || step < 0 || step > this.steps.length) {
        throw new RequestError(`step ${step} is out of range 0..${this.steps.length}`);
      }
      if (step < this.step) {
        this.session = sessionFor(this.transcript);
        this.applyTrace(this.session.machine);
        this.step = 0;
        this.lastOutput = [];
        this.lastTrace = undefined;
      }
      while (this.step < step) {
        const r = await this.runLine(this.steps[this.step].input);
        this.lastOutput = r.output;
        this.lastTrace = r.trace;
        this.step++;
      }
      this.changed();
      return this.replayJson()!;
    });
  }

  /** The whole state, the replay position included. */
  state(): AppState {
    const s = this.session;
    return {
      ...stateJson(s.machine, s.pid, s.prompt(), this.seq),
      replay: this.replayJson(),
      trace: s.machine.trace !== null,
    };
  }

  private proc(params: URLSearchParams): Process {
    const pid = intParam(params, "pid", 1, 2 ** 31);
    const p = this.session.machine.process(pid);
    if (p === undefined) throw new RequestError(`no process ${pid}`, 404);
    return p;
  }

  /** explain's read, write and exec of the page holding `addr` in `p` (changes nothing). */
  private explain(p: Process, addr: number) {
    if (!p.alive) throw new RequestError(`process ${p.pid} has exited: nothing to explain`);
    return explainJson(p, Math.floor(addr / PAGE) * PAGE);
  }

  /** Answers one request; never rejects. */
  async handle(req: Request): Promise<Response> {
    try {
      return await this.route(req);
    } catch (e) {
      if (e instanceof RequestError) return json({ error: e.message }, e.status);
      if (e instanceof TranscriptError) return json({ error: e.message }, 400);
      return json({ error: `internal error: ${e instanceof Error ? e.message : String(e)}` }, 500);
    }
  }

  private async route(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const q = url.searchParams;
    const path = url.pathname;
    if (req.method === "GET") {
      switch (path) {
        case "/":
        case "/index.html":
          return new Response(await page(), {
            headers: { "content-type": "text/html; charset=utf-8" },
          });
        case "/api/state":
          return json(this.state());
        case "/api/strip": {
          const lo = intParam(q, "lo", 0, USER_TOP);
          const hi = intParam(q, "hi", 1, USER_TOP);
          if (hi <= lo) throw new RequestError("hi must be above lo");
          const width = intParam(q, "width", 1, 4000);
          return json(stripJson(this.proc(q), lo, hi, width));
        }
        case "/api/page":
          return json(pageJson(this.proc(q), intParam(q, "addr", 0, USER_TOP - 1)));
        case "/api/frame": {
          const m = this.session.machine;
          const pfn = intParam(q, "pfn", 0, m.frames.nframes - 1);
          // With n: the most telling frame of the grid cell [pfn, pfn + n).
          const n = q.has("n") ? intParam(q, "n", 1, m.frames.nframes) : 1;
          return json(frameJson(m, cellFrame(m, pfn, n)));
        }
        case "/api/smaps": {
          const p = this.proc(q);
          const lines = smapsAt(p, intParam(q, "addr", 0, USER_TOP - 1));
          if (lines === null) throw new RequestError("no VMA holds that address", 404);
          return json({ pid: p.pid, lines });
        }
        case "/api/explain": {
          const addr = intParam(q, "addr", 0, USER_TOP - 1);
          // Between two commands, as the REPL's explain runs.
          return json(await this.serial(() => Promise.resolve(this.explain(this.proc(q), addr))));
        }
        case "/api/complete": {
          const line = q.get("line") ?? "";
          if (line.length > MAX_LINE) throw new RequestError("line too long");
          const [hits, prefix] = complete(this.session, line);
          return json({ completions: hits, prefix });
        }
        case "/api/events":
          return this.events();
      }
    } else if (req.method === "POST") {
      switch (path) {
        case "/api/command": {
          const body = await jsonBody(req);
          const line = body.line;
          if (typeof line !== "string") throw new RequestError('expected {"line": "..."}');
          if (line.length > MAX_LINE || line.includes("\n")) {
            throw new RequestError("one command line, at most 64 KiB, without newlines");
          }
          return json(await this.command(line));
        }
        case "/api/trace": {
          const on = (await jsonBody(req)).on;
          if (typeof on !== "boolean") throw new RequestError('expected {"on": true | false}');
          return json(await this.setTrace(on));
        }
        case "/api/replay": {
          const body = await jsonBody(req);
          const cur = this.transcript === null ? 0 : this.step;
          const action = body.action;
          const step = action === "next"
            ? cur + 1
            : action === "prev"
            ? cur - 1
            : action === "goto" && typeof body.step === "number"
            ? body.step
            : NaN;
          if (Number.isNaN(step)) {
            throw new RequestError('expected {"action": "next" | "prev" | "goto", "step": N}');
          }
          return json(await this.goto(step));
        }
      }
    } else {
      return json({ error: `method ${req.method} not allowed` }, 405);
    }
    throw new RequestError(`no such resource: ${req.method} ${path}`, 404);
  }

  /** Server-sent events: `update` with the seq after every command. */
  private events(): Response {
    const enc = new TextEncoder();
    let stop = () => {};
    const body = new ReadableStream<Uint8Array>({
      start: (ctl) => {
        const send = (s: string) => ctl.enqueue(enc.encode(s));
        send(`event: update\ndata: ${JSON.stringify({ seq: this.seq })}\n\n`);
        const off = this.subscribe((seq) => send(`event: update\ndata: {"seq":${seq}}\n\n`));
        const ping = setInterval(() => {
          try {
            send(": ping\n\n");
          } catch {
            stop();
          }
        }, 15000);
        stop = () => {
          off();
          clearInterval(ping);
        };
      },
      cancel: () => stop(),
    });
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
      },
    });
  }
}

/** An integer query parameter in [min, max]: decimal or 0x hex. */
export function intParam(q: URLSearchParams, name: string, min: number, max: number): number {
  const text = q.get(name);
  if (text === null) throw new RequestError(`missing parameter ${name}`);
  const t = text.trim();
  const n = /^0x[0-9a-f]+$/i.test(t) ? parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new RequestError(`parameter ${name}=${text}: expected an integer in [${min}, ${max}]`);
  }
  return n;
}

async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = JSON.parse(await req.text());
  } catch {
    throw new RequestError("the body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new RequestError("the body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

function json(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
  });
}

/** The page: page.html with client.js inlined (read each time: no build step, edits show on reload). */
async function page(): Promise<string> {
  const [html, js] = await Promise.all([
    Deno.readTextFile(new URL("./page.html", import.meta.url)),
    Deno.readTextFile(new URL("./client.js", import.meta.url)),
  ]);
  return html.replace("/*CLIENT_JS*/", () => js);
}
