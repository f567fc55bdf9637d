// The web view's page script (inlined into page.html by web/app.ts; no build step).
// It draws what the server computes: the state (/api/state) and one strip per
// process (/api/strip) for the range in view; it redraws after every `update`
// server-sent event. Timings land in window.mmTiming for the e2e test's log.

const USER_TOP = 2 ** 47;
const PAGE = 4096;
const $ = (id) => document.getElementById(id);
const hex = (n) => "0x" + n.toString(16);
const el = (tag, cls, text) => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** The range in view, per pid: { lo, hi }. */
const views = new Map();
/** The range each strip shows now, as the server drew it: { lo, hi }. */
const drawn = new Map();
let state = null;
let rendering = false;
let again = false;
const timing = { firstPaintMs: null, lastUpdateMs: null, commandSentAt: null };
globalThis.mmTiming = timing;

async function getJson(url, opts) {
  const r = await fetch(url, opts);
  const data = await r.json();
  if (!r.ok) throw new Error(data.error ?? r.statusText);
  return data;
}

function fmtBytes(n) {
  const units = [["TiB", 2 ** 40], ["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 2 ** 10]];
  for (const [u, s] of units) if (n >= s) return `${+(n / s).toFixed(2)} ${u}`;
  return `${n} B`;
}

function viewOf(p) {
  let v = views.get(p.pid);
  if (!v) {
    v = { lo: 0, hi: USER_TOP };
    views.set(p.pid, v);
  }
  return v;
}

/**
 * Sets the range in view. It is kept exact (so zooming about the pointer
 * does not drift) and rounded out to pages only when asked for; under 1.5
 * pages it snaps to the page holding its middle: the deepest zoom is one page.
 */
function setView(pid, lo, hi) {
  let span = Math.min(USER_TOP, Math.max(PAGE, hi - lo));
  lo = Math.max(0, Math.min(USER_TOP - span, lo));
  if (span < 1.5 * PAGE) {
    lo = Math.floor((lo + span / 2) / PAGE) * PAGE;
    span = PAGE;
  }
  views.set(pid, { lo, hi: lo + span });
  const p = state?.processes.find((q) => q.pid === pid);
  if (p) drawStrip(p);
}

/** Parses `0x7f00 16K` style text: numbers, hex, K/M/G/T suffixes. */
function parseAmount(t) {
  const m = /^(0x[0-9a-f]+|\d+)([kmgt]?)$/i.exec(t.trim());
  if (!m) return NaN;
  const n = m[1].startsWith("0x") || m[1].startsWith("0X") ? parseInt(m[1], 16) : Number(m[1]);
  const mult = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase()];
  return n * mult;
}

function procSection(p) {
  let sec = document.querySelector(`section.proc[data-pid="${p.pid}"]`);
  if (sec) return sec;
  sec = el("section", "proc");
  sec.dataset.pid = p.pid;
  const head = el("div", "bar");
  head.append(el("b", "title"));
  const mk = (label, cls, fn) => {
    const b = el("button", cls, label);
    b.addEventListener("click", fn);
    head.append(b);
  };
  const zoom = (f) => {
    const v = viewOf(p);
    const mid = (v.lo + v.hi) / 2, half = (v.hi - v.lo) * f / 2;
    setView(p.pid, mid - half, mid + half);
  };
  mk("+", "zoom-in", () => zoom(0.5));
  mk("−", "zoom-out", () => zoom(2));
  mk("128 TiB", "zoom-all", () => setView(p.pid, 0, USER_TOP));
  mk("fit", "zoom-fit", () => {
    const q = state.processes.find((x) => x.pid === p.pid);
    if (q && q.hi > q.lo) setView(p.pid, q.lo, q.hi);
  });
  const go = el("input", "goto mono");
  go.placeholder = "addr [len]";
  go.size = 22;
  go.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const [a, l] = go.value.trim().split(/[\s,]+/);
    const lo = parseAmount(a), len = l === undefined ? PAGE : parseAmount(l);
    if (Number.isFinite(lo) && Number.isFinite(len) && len > 0) setView(p.pid, lo, lo + len);
  });
  head.append(go, el("span", "range mono"));
  const strip = el("div", "strip");
  // Focusable: ←/→ move the page cursor, Enter (or e) explains the page under it.
  strip.tabIndex = 0;
  strip.append(el("canvas"), el("div", "cursor"));
  const table = el("div", "scroll");
  table.append(el("table", "vmas"));
  sec.append(head, strip, table);
  // The strip shows the range the server drew (the view rounded out to pages).
  const shown = () => drawn.get(p.pid) ?? viewOf(p);
  strip.addEventListener("wheel", (e) => {
    e.preventDefault();
    const v = viewOf(p), d = shown();
    const r = strip.getBoundingClientRect();
    const frac = Math.max(0, Math.min(1, (e.clientX - r.left) / r.width));
    const at = d.lo + frac * (d.hi - d.lo);
    const span = (v.hi - v.lo) * (e.deltaY > 0 ? 1.5 : 1 / 1.5);
    setView(p.pid, at - frac * span, at + (1 - frac) * span);
  }, { passive: false });
  const addrAt = (e) => {
    const d = shown();
    const r = strip.getBoundingClientRect();
    return Math.floor((d.lo + (e.clientX - r.left) / r.width * (d.hi - d.lo)) / PAGE) * PAGE;
  };
  strip.addEventListener("mousemove", (e) => hoverPage(p.pid, addrAt(e)));
  strip.addEventListener("click", (e) => {
    const a = addrAt(e);
    setCursor(p.pid, a);
    showSmaps(p.pid, a);
    showExplain(p.pid, a);
  });
  strip.addEventListener("keydown", (e) => {
    const at = cursors.get(p.pid) ?? Math.floor(shown().lo / PAGE) * PAGE;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      e.preventDefault();
      const a = Math.max(0, Math.min(USER_TOP - PAGE, at + (e.key === "ArrowLeft" ? -PAGE : PAGE)));
      setCursor(p.pid, a);
      hoverPage(p.pid, a);
      const d = shown();
      if (a < d.lo || a >= d.hi) setView(p.pid, a - (d.hi - d.lo) / 2, a + (d.hi - d.lo) / 2);
    } else if (e.key === "Enter" || e.key === "e") {
      e.preventDefault();
      setCursor(p.pid, at);
      showSmaps(p.pid, at);
      showExplain(p.pid, at);
    }
  });
  $("procs").append(sec);
  return sec;
}

let hoverBusy = false, hoverNext = null;
async function hoverPage(pid, addr) {
  hoverNext = [pid, addr];
  if (hoverBusy) return;
  hoverBusy = true;
  while (hoverNext) {
    const [p, a] = hoverNext;
    hoverNext = null;
    try {
      renderPage(await getJson(`/api/page?pid=${p}&addr=${a}`));
    } catch (e) {
      $("info").textContent = String(e.message);
    }
  }
  hoverBusy = false;
}

function ownersText(f) {
  return f.owners.map((o) => `pid ${o.pid} @${hex(o.addr)}`).join(", ") || "none";
}

function renderPage(pg) {
  const info = $("info");
  info.dataset.pid = pg.pid;
  info.dataset.addr = hex(pg.addr);
  info.dataset.pfn = pg.pfn === null ? "" : hex(pg.pfn);
  info.dataset.owners = pg.frame ? pg.frame.owners.map((o) => o.pid).join(",") : "";
  info.dataset.pin = pg.frame ? pg.frame.pincount : "";
  const lines = [];
  const v = pg.vma;
  lines.push(
    `pid ${pg.pid} page ${hex(pg.addr)}  ` +
      (v ? `in ${hex(v.start)}-${hex(v.end)} ${v.perms} ${v.kind} ${v.name}` : "(no VMA)"),
  );
  let pte = `PTE ${pg.pte}`;
  if (pg.pte !== "none" && pg.pte !== "marker") {
    pte += ` ${pg.writable ? "rw" : "r-"}${pg.dirty ? " dirty" : ""}`;
  }
  if (pg.uffdWp) pte += " uffd-wp";
  if (pg.pfn !== null) pte += `  pfn ${hex(pg.pfn)}`;
  lines.push(pte);
  if (pg.frame) {
    const f = pg.frame;
    lines.push(
      `frame ${f.kind} ref ${f.refcount} map ${f.mapcount} pin ${f.pincount}` +
        `${f.pincount > 0 ? " PINNED" : ""}  owners: ${ownersText(f)}`,
    );
  }
  info.textContent = lines.join("\n");
  info.style.whiteSpace = "pre";
}

/** The page cursor of each strip (the page last clicked or moved to), per pid. */
const cursors = new Map();

function setCursor(pid, addr) {
  cursors.set(pid, addr);
  placeCursor(pid);
}

/** Draws the cursor of `pid`'s strip over the page it is on, if that page is in view. */
function placeCursor(pid) {
  const sec = document.querySelector(`section.proc[data-pid="${pid}"]`);
  const d = drawn.get(pid), a = cursors.get(pid);
  if (!sec || !d || a === undefined) return;
  const strip = sec.querySelector(".strip"), cur = strip.querySelector(".cursor");
  const w = strip.clientWidth, span = d.hi - d.lo;
  const on = a + PAGE > d.lo && a < d.hi;
  cur.style.display = on ? "block" : "none";
  if (!on) return;
  const x0 = (Math.max(a, d.lo) - d.lo) / span * w,
    x1 = (Math.min(a + PAGE, d.hi) - d.lo) / span * w;
  cur.style.left = `${x0}px`;
  cur.style.width = `${Math.max(2, x1 - x0)}px`;
  cur.dataset.addr = hex(a);
}

/** The page the explain panel shows ({pid, addr}), fetched again after every change. */
let explained = null;
let explainSeq = 0;

/** explain's read, write and exec of a page, side by side (GET /api/explain: changes nothing). */
async function showExplain(pid, addr) {
  explained = { pid, addr };
  const n = ++explainSeq;
  try {
    const x = await getJson(`/api/explain?pid=${pid}&addr=${addr}`);
    if (n === explainSeq) renderExplain(x);
  } catch (e) {
    if (n !== explainSeq) return;
    const box = $("explain");
    box.dataset.pid = pid;
    box.dataset.addr = hex(addr);
    box.replaceChildren(el("div", "err", `${hex(addr)}: ${e.message}`));
  }
}

function renderExplain(x) {
  const box = $("explain");
  box.dataset.pid = x.pid;
  box.dataset.addr = hex(x.addr);
  $("explain-where").textContent = `pid ${x.pid} page ${hex(x.addr)}`;
  box.replaceChildren(...x.accesses.map((a) => {
    const col = el("div", `acc o-${a.outcome}`);
    col.dataset.access = a.access;
    col.dataset.outcome = a.outcome;
    // The first line (`write at 0x...:`) is the column's heading.
    const body = a.text.slice(1).map((l) => l.replace(/^ {2}(\w+:) +/, "$1 ")).join("\n");
    col.append(el("div", "outcome", `${a.access} → ${a.outcome}`), el("pre", "", body));
    return col;
  }));
}

/** The most steps a trace block draws. */
const TRACE_SHOWN = 500;

/**
 * A command's kernel path, one step per line: the calls from the entry
 * point down (the innermost in bold), the decision, and the policy knob,
 * errno and frame the step names (the VMA it looked at in the tooltip).
 */
function traceBlock(steps, empty) {
  const box = el("div", "trace");
  if (steps.length === 0 && empty) box.append(el("div", "step none", empty));
  // A populate of gigabytes traces thousands of faults: the first TRACE_SHOWN tell the story.
  for (const s of steps.slice(0, TRACE_SHOWN)) {
    const d = el("div", "step");
    d.dataset.fn = s.fn;
    const outer = s.path.slice(0, -1);
    if (outer.length > 0) d.append(el("span", "path", `${outer.join(" → ")} → `));
    if (s.fn !== "") d.append(el("b", "fn", s.fn));
    if (s.decision !== null) d.append(el("span", "why", `${s.fn !== "" ? ": " : ""}${s.decision}`));
    if (s.policy) d.append(el("span", "policy", ` [policy ${s.policy}]`));
    if (s.errno) d.append(el("span", "errno", ` ${s.errno}`));
    if (typeof s.pfn === "number") d.append(el("span", "pfn", ` pfn ${hex(s.pfn)}`));
    if (s.vma) d.title = s.vma;
    box.append(d);
  }
  if (steps.length > TRACE_SHOWN) {
    box.append(el("div", "step none", `… ${steps.length - TRACE_SHOWN} more steps`));
  }
  return box;
}

async function showSmaps(pid, addr) {
  try {
    const r = await getJson(`/api/smaps?pid=${pid}&addr=${addr}`);
    $("smaps").textContent = r.lines.join("\n");
  } catch (e) {
    $("smaps").textContent = `${hex(addr)}: ${e.message}`;
  }
}

const stripSeq = new Map();
function stripUrl(pid, v, width) {
  const lo = Math.floor(v.lo / PAGE) * PAGE, hi = Math.ceil(v.hi / PAGE) * PAGE;
  return `/api/strip?pid=${pid}&lo=${lo}&hi=${hi}&width=${width}`;
}

/** The strip request for `p`'s view at the strip's width now: { url, width }. */
function stripRequest(p) {
  const sec = procSection(p);
  const width = Math.max(1, Math.floor(sec.querySelector(".strip").clientWidth || 800));
  return { url: stripUrl(p.pid, viewOf(p), width), width };
}

/** Starts fetching a process's strip for its view: { url, width, promise }. */
function fetchStrip(p) {
  const req = stripRequest(p);
  const promise = getJson(req.url);
  promise.catch(() => {});
  return { ...req, promise };
}

/** Draws a process's strip; `pre` is a fetch started earlier, used if it asked for this view. */
async function drawStrip(p, pre) {
  const sec = procSection(p);
  const strip = sec.querySelector(".strip");
  const f = pre && pre.url === stripRequest(p).url ? pre : fetchStrip(p);
  const n = (stripSeq.get(p.pid) ?? 0) + 1;
  stripSeq.set(p.pid, n);
  let s;
  try {
    s = await f.promise;
  } catch (e) {
    sec.querySelector(".range").textContent = e.message;
    return;
  }
  if (stripSeq.get(p.pid) !== n) return; // a newer draw is on its way
  renderStrip(sec, strip, s, f.width, p);
}

function renderStrip(sec, strip, s, width, p) {
  drawn.set(p.pid, { lo: s.lo, hi: s.hi });
  const span = s.hi - s.lo;
  sec.querySelector(".range").textContent = `${hex(s.lo)}–${hex(s.hi)} (${
    fmtBytes(span)
  }, ${s.vmaCount} VMAs in view)`;
  for (const old of strip.querySelectorAll(".seg, .pin-mark")) old.remove();
  const frag = document.createDocumentFragment();
  const px = (a) => (Math.max(s.lo, Math.min(s.hi, a)) - s.lo) / span * width;
  for (const g of s.segments) {
    const d = el("div", `seg k-${g.kind}`);
    const x0 = px(g.start), x1 = px(g.end);
    d.style.left = `${x0}px`;
    d.style.width = `${Math.max(1, x1 - x0)}px`;
    d.dataset.start = hex(g.start);
    d.dataset.end = hex(g.end);
    d.dataset.count = g.count;
    if (g.count === 1) {
      d.dataset.perms = g.perms;
      if (g.perms[1] !== "w") d.classList.add("ro");
      if (g.perms[2] === "x") d.classList.add("x");
      d.title = `${hex(g.start)}-${hex(g.end)} ${g.perms} ${g.kind} ${g.name}`;
    } else d.title = `${g.count} VMAs ${hex(g.start)}-${hex(g.end)}`;
    frag.append(d);
  }
  for (const a of s.pinMarks) {
    const m = el("div", "pin-mark");
    m.style.left = `${px(a + PAGE / 2)}px`;
    m.dataset.addr = hex(a);
    frag.append(m);
  }
  strip.append(frag);
  placeCursor(p.pid);
  // Page shading, one canvas column band per strip column.
  const cv = strip.querySelector("canvas");
  const h = strip.clientHeight || 44;
  cv.width = width;
  cv.height = h;
  const g = cv.getContext("2d");
  g.clearRect(0, 0, width, h);
  const cw = width / s.cols;
  for (let c = 0; c < s.cols; c++) {
    const mapped = s.mapped[c];
    if (mapped <= 0) continue;
    const x = c * cw, w = Math.max(1, cw);
    const frac = (k) => Math.min(1, k / Math.max(1, mapped));
    if (s.present[c] > 0) {
      g.fillStyle = `rgba(20,40,70,${0.25 + 0.5 * frac(s.present[c])})`;
      g.fillRect(x, h * 0.45, w, h * 0.55);
    }
    if (s.dirty[c] > 0) {
      g.fillStyle = "#e80";
      g.fillRect(x, h * 0.45, w, 4);
    }
    if (s.uffdMissing[c] > 0) {
      g.fillStyle = `rgba(160,0,160,${0.3 + 0.5 * frac(s.uffdMissing[c])})`;
      g.fillRect(x, h - 6, w, 6);
    }
    if (s.pinned[c] > 0) {
      g.fillStyle = "#d00";
      g.fillRect(x, 0, w, 6);
    }
  }
  // The VMAs in view, as a table (a strip folds what is narrower than a column).
  const table = sec.querySelector("table.vmas");
  const rows = [];
  // Page counts: the strip's (any VMA in view), else the state's (the first VMAs).
  const summaries = new Map(p.vmas.map((x) => [x.start, x.summary]));
  const head = el("tr");
  for (
    const t of [
      "start",
      "end",
      "perms",
      "kind",
      "pages",
      "present",
      "dirty",
      "pinned",
      "uffd-missing",
      "name",
    ]
  ) {
    head.append(el("th", "", t));
  }
  rows.push(head);
  let shown = 0;
  for (const gseg of s.segments) {
    if (shown >= 200) break;
    const tr = el("tr", gseg.count === 1 ? "vma" : "fold");
    tr.dataset.start = hex(gseg.start);
    tr.dataset.end = hex(gseg.end);
    const sum = gseg.count === 1 ? gseg.summary ?? summaries.get(gseg.start) : undefined;
    if (gseg.count === 1) {
      tr.dataset.perms = gseg.perms;
      tr.dataset.kind = gseg.kind;
      if (sum) tr.dataset.pinned = sum.pinned;
    }
    const cells = [
      hex(gseg.start),
      hex(gseg.end),
      gseg.count === 1 ? gseg.perms : `${gseg.count} VMAs`,
      gseg.kind,
      String((gseg.end - gseg.start) / PAGE),
      sum ? String(sum.present) : "",
      sum ? String(sum.dirty) : "",
      sum ? String(sum.pinned) : "",
      sum ? String(sum.uffdMissing) : "",
      gseg.name,
    ];
    for (const c of cells) tr.append(el("td", "mono", c));
    tr.addEventListener("click", () => showSmaps(p.pid, gseg.start));
    tr.addEventListener("dblclick", () => setView(p.pid, gseg.start, gseg.end));
    rows.push(tr);
    shown++;
  }
  table.replaceChildren(...rows);
}

function renderFrames(fr) {
  const cv = $("frames");
  const cols = 256;
  const n = fr.cells.length;
  const rows = Math.ceil(n / cols);
  cv.width = cols;
  cv.height = rows;
  cv.style.height = `${Math.max(32, Math.min(512, rows * 2))}px`;
  const g = cv.getContext("2d");
  const img = g.createImageData(cols, rows);
  const colour = {
    p: [220, 0, 0],
    A: [40, 90, 200],
    a: [130, 180, 230],
    s: [240, 190, 90],
    c: [150, 210, 130],
    z: [255, 255, 255],
    r: [90, 90, 90],
    f: [236, 236, 232],
  };
  const px = img.data;
  for (let i = 0; i < n; i++) {
    const rgb = colour[fr.cells[i]] ?? [0, 0, 0];
    px[i * 4] = rgb[0];
    px[i * 4 + 1] = rgb[1];
    px[i * 4 + 2] = rgb[2];
    px[i * 4 + 3] = 255;
  }
  g.putImageData(img, 0, 0);
  cv.dataset.perCell = fr.perCell;
  const c = fr.counts;
  $("frames-sum").textContent = `${fr.nframes} frames, ${fr.perCell}/cell: ` +
    `anon ${c.a + c.A} (shared ${c.A}) file ${c.c} shmem ${c.s} pinned ${c.p} free ${c.f}`;
}

$("frames").addEventListener("mousemove", async (e) => {
  if (!state) return;
  const cv = $("frames");
  const r = cv.getBoundingClientRect();
  const col = Math.floor((e.clientX - r.left) / r.width * cv.width);
  const row = Math.floor((e.clientY - r.top) / r.height * cv.height);
  const pfn = (row * cv.width + col) * state.frames.perCell;
  if (pfn < 0 || pfn >= state.frames.nframes) return;
  try {
    const f = await getJson(`/api/frame?pfn=${pfn}&n=${state.frames.perCell}`);
    $("frame-info").textContent =
      `pfn ${hex(f.pfn)} ${f.kind} ref ${f.refcount} map ${f.mapcount} ` +
      `pin ${f.pincount}  owners: ${ownersText(f)}`;
  } catch (err) {
    $("frame-info").textContent = err.message;
  }
});

function renderReplay(rp) {
  const box = $("replay");
  if (!rp) return;
  box.classList.add("on");
  $("replay-step").textContent = `step ${rp.step} / ${rp.total}`;
  box.dataset.step = rp.step;
  $("replay-title").textContent = `${rp.file}: ${rp.title}`;
  $("prev").disabled = rp.step === 0;
  $("next").disabled = rp.step === rp.total;
  const last = rp.last;
  // The prose leading to the next command: what to read out before pressing next.
  $("replay-text").textContent = rp.next ? rp.next.text.join("\n\n") : "";
  $("replay-last").textContent = last ? [`mm> ${last.input}`, ...last.output].join("\n") : "";
  $("replay-next").textContent = rp.next ? `next: ${rp.next.input}` : "(end of transcript)";
  // With tracing on, the kernel path the step took.
  const tr = $("replay-trace");
  if (last && last.trace) {
    tr.replaceChildren(
      ...traceBlock(last.trace, "(no kernel path traced: nothing faulted, no call)").childNodes,
    );
    tr.hidden = false;
  } else {
    tr.replaceChildren();
    tr.hidden = true;
  }
}

async function replayMove(action) {
  try {
    await getJson("/api/replay", { method: "POST", body: JSON.stringify({ action }) });
  } catch (e) {
    say([e.message], "err");
  }
}
$("prev").addEventListener("click", () => replayMove("prev"));
$("next").addEventListener("click", () => replayMove("next"));

async function render() {
  if (rendering) {
    again = true;
    return;
  }
  rendering = true;
  try {
    do {
      again = false;
      const t0 = performance.now();
      // The strips of the processes already shown are fetched alongside the state.
      const pre = new Map();
      for (const p of state?.processes ?? []) if (p.alive) pre.set(p.pid, fetchStrip(p));
      state = await getJson("/api/state");
      const tState = performance.now();
      $("prompt").textContent = state.prompt.trim();
      const live = new Set();
      const draws = [];
      for (const p of state.processes) {
        if (!p.alive) continue;
        live.add(String(p.pid));
        const sec = procSection(p);
        sec.querySelector(".title").textContent = `pid ${p.pid} ${p.comm}` +
          `${p.pid === state.pid ? " (current)" : ""} · ${p.vmaCount} VMAs`;
        draws.push(drawStrip(p, pre.get(p.pid)));
      }
      for (const sec of document.querySelectorAll("section.proc")) {
        if (!live.has(sec.dataset.pid)) sec.remove();
      }
      renderFrames(state.frames);
      $("pci").textContent = state.pci.tree.length
        ? state.pci.tree.join("\n") + "\n\n" +
          state.pci.functions.map((f) =>
            `${f.bdf} ${f.name} [${f.driver ?? "no driver"}] ${f.state}`
          ).join("\n")
        : "(no PCI devices: start with --pci default)";
      $("dmesg").textContent = state.dmesg.join("\n");
      $("trace-toggle").checked = state.trace;
      if (explained) showExplain(explained.pid, explained.addr);
      renderReplay(state.replay);
      const tDom = performance.now();
      await Promise.all(draws);
      const ms = performance.now() - t0;
      timing.phases = {
        state: +(tState - t0).toFixed(1),
        draw: +(tDom - tState).toFixed(1),
        strips: +(performance.now() - tDom).toFixed(1),
      };
      if (timing.firstPaintMs === null) timing.firstPaintMs = performance.now();
      if (timing.commandSentAt !== null) {
        timing.lastUpdateMs = performance.now() - timing.commandSentAt;
        timing.commandSentAt = null;
      }
      timing.lastRenderMs = ms;
      $("timing").textContent = `render ${ms.toFixed(0)} ms`;
      document.body.dataset.seq = state.seq;
    } while (again);
  } catch (e) {
    $("status").textContent = `error: ${e.message}`;
  } finally {
    rendering = false;
  }
}

function say(lines, cls) {
  const con = $("console");
  for (const l of lines) con.append(el("div", cls, l));
  con.scrollTop = con.scrollHeight;
}

const history = [];
let histAt = 0;
const cmd = $("cmd");
cmd.addEventListener("keydown", async (e) => {
  if (e.key === "Enter") {
    const line = cmd.value;
    cmd.value = "";
    $("completions").textContent = "";
    if (line.trim() !== "" && history[history.length - 1] !== line) history.push(line);
    histAt = history.length;
    say([`${$("prompt").textContent} ${line}`], "prompt");
    timing.commandSentAt = performance.now();
    try {
      const r = await getJson("/api/command", { method: "POST", body: JSON.stringify({ line }) });
      say(r.output, r.error ? "err" : "");
      if (r.trace && r.trace.length > 0) {
        const con = $("console");
        con.append(traceBlock(r.trace));
        con.scrollTop = con.scrollHeight;
      }
      $("prompt").textContent = r.prompt.trim();
    } catch (err) {
      say([err.message], "err");
    }
  } else if (e.key === "ArrowUp") {
    e.preventDefault();
    if (histAt > 0) cmd.value = history[--histAt];
  } else if (e.key === "ArrowDown") {
    e.preventDefault();
    histAt = Math.min(history.length, histAt + 1);
    cmd.value = history[histAt] ?? "";
  } else if (e.key === "Tab") {
    e.preventDefault();
    const line = cmd.value;
    try {
      const r = await getJson(`/api/complete?line=${encodeURIComponent(line)}`);
      const hits = r.completions;
      if (hits.length === 0) return;
      let common = hits[0];
      for (const h of hits) while (!h.startsWith(common)) common = common.slice(0, -1);
      if (cmd.value === line && common.length >= r.prefix.length) {
        cmd.value = line.slice(0, line.length - r.prefix.length) + common;
      }
      $("completions").textContent = hits.length > 1 ? hits.slice(0, 40).join("  ") : "";
    } catch (err) {
      $("completions").textContent = err.message;
    }
  }
});

$("trace-toggle").addEventListener("change", async (e) => {
  const on = e.target.checked;
  try {
    await getJson("/api/trace", { method: "POST", body: JSON.stringify({ on }) });
    say(
      [`(trace ${on ? "on: each command's kernel path shows under its output" : "off"})`],
      "note",
    );
  } catch (err) {
    e.target.checked = !on;
    say([err.message], "err");
  }
});

const events = new EventSource("/api/events");
events.addEventListener("update", () => {
  $("status").textContent = "live";
  render();
});
events.addEventListener("error", () => ($("status").textContent = "disconnected; retrying"));
render();
