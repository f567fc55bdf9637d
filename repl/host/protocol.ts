/**
 * The client side of mmhost's line protocol.
 *
 * A request is one line, `VPID OP ARGS...`; numbers are lowercase hex
 * without `0x` (negative values as their u64 pattern); byte strings are
 * hex pairs, with runs of 8 or more equal bytes as `*BBcount;` (`-` for
 * none). A reply is any number of lines ended by a line `.`.
 *
 * | op | reply |
 * | --- | --- |
 * | `sys NR A0..A5 [sI=BYTES] [bI=N] [rI=N\|rI=ret]` | `= RET [BYTES\|!]`: the raw kernel result (-errno on failure); `sI` passes bytes (NUL-terminated) as argument I, `bI` a scratch buffer, `rI` reads N (or RET) bytes back from argument I (`!` if that faults) |
 * | `cpu r ADDR LEN`, `cpu w ADDR BYTES`, `cpu f ADDR BYTE LEN`, `cpu x ADDR` | `ok DONE [BYTES]`, or `sig SIGNO CODE ADDR LSB DONE [BYTES]` (LSB all ones when absent) |
 * | `signal SIGNO HANDLER` | `= RET` (HANDLER 0 SIG_DFL, 1 SIG_IGN, else catch) |
 * | `maps LO HI`, `smaps LO HI` | `l TEXT` per line of the VMAs meeting [LO, HI) |
 * | `reserve HI BASE`, `pad TARGET HI`, `mapcount` | `= MAPCOUNT` (or -errno) |
 * | `hello` | `= MMAP_BASE MAPCOUNT HOSTPID VDSO` |
 * | `readfile PATH` | `= LEN BYTES`: a file's first MiB (host facts from /proc and /sys), or `= -ERRNO` |
 * | `fork` | `= VPID` of the child (the router assigns virtual pids 2, 3, ...) |
 * | `getpid` | `= VPID` |
 * | `exit CODE` | `exit WSTATUS` (exit_group) |
 * | `thread STACK SIZE` | `= VTID`: a real thread (glibc's pthread_create on that stack); the router gives it the next virtual id, and a request to VTID runs in it |
 * | `texit CODE` (to a thread) | `exit 0`: that thread alone ended (exit) |
 * | `rawclone FLAGS` | `= RET`: the real clone(FLAGS, 0, 0, 0, 0), a child it creates exits at once (for the errno) |
 * | `0 poll MS` | late replies that came within MS ms (see below), then `.` |
 * | `0 quit` | (the router kills every subject and ends) |
 *
 * Asynchronous replies: a request to a thread (not a process's main
 * thread) that has not answered within mmhost's bound (PENDING_MS, 40 ms)
 * replies `pending`, and requests to other threads and processes go on.
 * The thread's reply comes later on its own, tagged: the router passes
 * each of its lines as `!VTID LINE` (the last `!VTID .`) wherever it reads
 * it, inside another request's reply or in answer to `0 poll MS`. A
 * request to a thread whose reply is still due replies `busy`. Only `sys`
 * and `cpu` requests go pending. A late reply that killed its process
 * carries the wait status (`!VTID exit WSTATUS`), as a prompt one does;
 * a request then in flight to that process replies `dead`.
 *
 * A request that kills the process (a fault under SIG_DFL or SIG_IGN, or
 * exit) adds `exit WSTATUS`, the wait status the parent observed. A
 * request to a dead vpid replies `dead`.
 * @module
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Bytes in the wire form. */
export function encodeBytes(b: Uint8Array): string {
  if (b.length === 0) return "-";
  let s = "";
  let i = 0;
  while (i < b.length) {
    let j = i + 1;
    while (j < b.length && b[j] === b[i]) j++;
    const h = b[i].toString(16).padStart(2, "0");
    if (j - i >= 8) s += `*${h}${(j - i).toString(16)};`;
    else s += h.repeat(j - i);
    i = j;
  }
  return s;
}

/** The wire form back to bytes. */
export function decodeBytes(s: string): Uint8Array {
  if (s === "-" || s === "") return new Uint8Array(0);
  const out: number[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === "*") {
      const b = parseInt(s.slice(i + 1, i + 3), 16);
      const end = s.indexOf(";", i + 3);
      const n = parseInt(s.slice(i + 3, end), 16);
      for (let k = 0; k < n; k++) out.push(b);
      i = end + 1;
    } else {
      out.push(parseInt(s.slice(i, i + 2), 16));
      i += 2;
    }
  }
  return Uint8Array.from(out);
}

/** A u64 register value in the wire form. */
export function hexArg(v: bigint | number): string {
  return BigInt.asUintN(64, BigInt(v)).toString(16);
}

/** A wire number as a signed 64-bit value. */
export function parseS64(s: string): bigint {
  return BigInt.asIntN(64, BigInt("0x" + s));
}

/** A running router with its subjects. */
export class HostServer {
  private buf = "";
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  private closed = false;
  /** Late replies being read, and those complete, by virtual tid. */
  private readonly lateParts = new Map<number, string[]>();
  private readonly lateDone = new Map<number, string[]>();

  private constructor(private readonly child: Deno.ChildProcess) {
    this.reader = child.stdout.getReader();
    this.writer = child.stdin.getWriter();
  }

  /** Starts the router (and subject 1) in `cwd`. */
  static start(bin: string, cwd: string): HostServer {
    const child = new Deno.Command(bin, {
      args: ["router"],
      cwd,
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    return new HostServer(child);
  }

  private async readLine(deadline: number): Promise<string> {
    for (;;) {
      const i = this.buf.indexOf("\n");
      if (i >= 0) {
        const l = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        return l;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error("mmhost did not answer in time");
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((res) => {
        timer = setTimeout(() => res("timeout"), left);
      });
      const r = await Promise.race([this.reader.read(), timeout]);
      clearTimeout(timer);
      if (r === "timeout") {
        this.kill();
        throw new Error("mmhost did not answer in time");
      }
      if (r.done) throw new Error("mmhost ended unexpectedly");
      this.buf += dec.decode(r.value, { stream: true });
    }
  }

  /** A `!VTID LINE` line of a late reply is set aside; true if l was one. */
  private setAside(l: string): boolean {
    if (!l.startsWith("!")) return false;
    const sp = l.indexOf(" ");
    const tid = parseInt(l.slice(1, sp), 16);
    const rest = l.slice(sp + 1);
    const parts = this.lateParts.get(tid) ?? [];
    if (rest === ".") {
      this.lateParts.delete(tid);
      this.lateDone.set(tid, parts);
    } else {
      parts.push(rest);
      this.lateParts.set(tid, parts);
    }
    return true;
  }

  /** Sends one request to a vpid; resolves with the reply lines (without the "."). */
  async call(vpid: number, req: string, timeoutMs = 30_000): Promise<string[]> {
    if (this.closed) throw new Error("mmhost is closed");
    await this.writer.write(enc.encode(`${vpid.toString(16)} ${req}\n`));
    const deadline = Date.now() + timeoutMs;
    const out: string[] = [];
    for (;;) {
      const l = await this.readLine(deadline);
      if (this.setAside(l)) continue;
      if (l === ".") return out;
      out.push(l);
    }
  }

  /** Waits up to ms for late replies (they are then {@link late}'s). */
  async poll(ms: number): Promise<void> {
    await this.call(0, `poll ${Math.max(0, Math.round(ms)).toString(16)}`, ms + 30_000);
  }

  /** The late reply of a `pending` request to vtid, if it has come (taken once). */
  late(vtid: number): string[] | undefined {
    const r = this.lateDone.get(vtid);
    this.lateDone.delete(vtid);
    return r;
  }

  /** Waits for vtid's late reply (at most timeoutMs). */
  async awaitLate(vtid: number, timeoutMs = 30_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.late(vtid);
      if (r !== undefined) return r;
      if (Date.now() > deadline) throw new Error(`mmhost: thread ${vtid} did not answer in time`);
      await this.poll(50);
    }
  }

  private kill(): void {
    try {
      this.child.kill("SIGKILL");
    } catch {
      // already ended
    }
  }

  /** Ends the router and every subject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.writer.write(enc.encode("0 quit\n"));
      await this.writer.close();
    } catch {
      this.kill();
    }
    const timer = setTimeout(() => this.kill(), 5000);
    try {
      // Drain stdout so the process can end.
      for (;;) {
        const r = await this.reader.read();
        if (r.done) break;
      }
    } catch {
      // killed
    }
    await this.child.status;
    clearTimeout(timer);
  }
}
