/*
 * mmhost: mmlab's host-kernel backend, a syscall server for the
 * differential harness (repl/host/). Compiled with gcc at run time.
 *
 *   mmhost router          started by Deno, talks on stdin/stdout
 *   mmhost subject         started by the router (exec, no ASLR), talks on fd CHAN
 *
 * The router owns no memory under test. It spawns subject 1 with
 * personality(ADDR_NO_RANDOMIZE) and RLIMIT_STACK = 8 MiB, so the subject's
 * mmap_base is 0x7ffff7fff000 as on mmlab's reference machine, and routes
 * each request line "<vpid> <op> <args>" to the subject of that virtual
 * pid over a socketpair. A subject's fork() creates a new socketpair first,
 * and passes the router's end back with SCM_RIGHTS; the child keeps
 * serving on its own end. The router is a child subreaper, so it can reap
 * subjects whose parent subject has died; a live parent subject reaps its
 * own children on the router's request ("wait").
 *
 * Wire format (all numbers lowercase hex, no 0x; negative values as u64):
 * a request is one line; a reply is any number of lines ending with ".".
 * See repl/host/protocol.ts for the ops.
 *
 * The subject never allocates memory after start-up (no malloc, no stdio):
 * every buffer is carved at start-up from one anonymous mapping (not .bss,
 * so that the image ends where mmlab's program's does and brk compares;
 * see arena_init), so the only mappings that change are the ones the
 * requests ask for.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <time.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

typedef unsigned long u64;

#define CHAN 1000           /* a subject's channel to the router */
#define MAXLINE (4u << 20)  /* longest request line */
#define IOBUF (1u << 16)
#define BIGBUF (16u << 20)  /* peek / readback / mincore buffer */
#define MAXPROCS 4096

/* ---------------------------------------------------------------- raw syscalls */

static long raw6(long nr, u64 a, u64 b, u64 c, u64 d, u64 e, u64 f) {
  long ret;
  register u64 r10 __asm__("r10") = d;
  register u64 r8 __asm__("r8") = e;
  register u64 r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

/* ---------------------------------------------------------------- output */

static int out_fd = 1;
/* Each thread buffers its own reply (IOBUF bytes, from the arena): a worker's may be late. */
static __thread char *obuf;
static __thread unsigned olen;

/*
 * The write lock: a reply goes out whole, never interleaved with another
 * thread's. A thread takes it at its reply's first flush and drops it
 * after the reply's ".". A worker whose request went `pending` (its main
 * thread stopped waiting) starts its reply with `@IDX`, its tag.
 */
static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
static __thread int wheld;
struct worker;
static __thread struct worker *self_w; /* the worker this thread is, if any */
static void reply_header(void);

static void write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      _exit(120);
    }
    p += w;
    n -= (size_t)w;
  }
}

static void flush(void) {
  if (!wheld) {
    pthread_mutex_lock(&wlock);
    wheld = 1;
    reply_header();
  }
  write_all(out_fd, obuf, olen);
  olen = 0;
}

static void put(const char *s, size_t n) {
  while (n > 0) {
    if (olen == IOBUF) flush();
    size_t k = IOBUF - olen;
    if (k > n) k = n;
    memcpy(obuf + olen, s, k);
    olen += (unsigned)k;
    s += k;
    n -= k;
  }
}

static void puts_(const char *s) { put(s, strlen(s)); }
static void putc_(char c) { put(&c, 1); }

static void puthex(u64 v) {
  char b[17];
  int i = 16;
  b[16] = 0;
  do {
    b[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  puts_(b + i);
}

static void putbyte(unsigned char c) {
  putc_("0123456789abcdef"[c >> 4]);
  putc_("0123456789abcdef"[c & 15]);
}

/* Bytes as hex pairs; a run of 8 or more equal bytes as *BB<count hex>; */
static void putdata(const unsigned char *p, u64 n) {
  if (n == 0) {
    putc_('-');
    return;
  }
  u64 i = 0;
  while (i < n) {
    u64 j = i + 1;
    while (j < n && p[j] == p[i]) j++;
    if (j - i >= 8) {
      putc_('*');
      putbyte(p[i]);
      puthex(j - i);
      putc_(';');
    } else {
      for (u64 k = i; k < j; k++) putbyte(p[k]);
    }
    i = j;
  }
}

/* prefix + hex into dst (no NUL); returns the length. */
static unsigned fmt_hex(char *dst, const char *prefix, u64 v) {
  unsigned n = (unsigned)strlen(prefix);
  memcpy(dst, prefix, n);
  char b[17];
  int i = 16;
  do {
    b[--i] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  memcpy(dst + n, b + i, (size_t)(16 - i));
  return n + (unsigned)(16 - i);
}

static void end_reply(void) {
  puts_(".\n");
  flush();
  wheld = 0;
  pthread_mutex_unlock(&wlock);
}

/* ---------------------------------------------------------------- input */

static char *line; /* MAXLINE */

/* A buffered line reader over one fd at a time: switching fd drops what was buffered. */
struct linebuf {
  char *buf; /* IOBUF */
  unsigned pos, len;
  int fd;
};

/* Reads one line from fd into out (without the newline); -1 at EOF. */
static long buf_line(struct linebuf *b, int fd, char *out, unsigned max) {
  if (fd != b->fd) {
    b->fd = fd;
    b->pos = b->len = 0;
  }
  unsigned n = 0;
  for (;;) {
    if (b->pos == b->len) {
      ssize_t r = read(fd, b->buf, IOBUF);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) return -1;
      b->pos = 0;
      b->len = (unsigned)r;
    }
    char c = b->buf[b->pos++];
    if (c == '\n') {
      out[n] = 0;
      return n;
    }
    if (n + 1 < max) out[n++] = c;
  }
}

/* The subject's requests. */
static struct linebuf inbuf = {.fd = -1};

static long read_line(int fd) { return buf_line(&inbuf, fd, line, MAXLINE); }

static __thread char *tok_next;

static char *tok(void) {
  char *s = tok_next;
  if (s == NULL) return NULL;
  while (*s == ' ') s++;
  if (*s == 0) {
    tok_next = NULL;
    return NULL;
  }
  char *e = s;
  while (*e && *e != ' ') e++;
  if (*e) {
    *e = 0;
    tok_next = e + 1;
  } else {
    tok_next = NULL;
  }
  return s;
}

static u64 hexval(const char *s) {
  u64 v = 0;
  if (s == NULL) return 0;
  for (; *s; s++) {
    char c = *s;
    v <<= 4;
    if (c >= '0' && c <= '9') v |= (u64)(c - '0');
    else if (c >= 'a' && c <= 'f') v |= (u64)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= (u64)(c - 'A' + 10);
  }
  return v;
}

static int nib(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return 0;
}

/* Decodes putdata()'s format into out (at most max bytes); returns the length. */
static u64 getdata(const char *s, unsigned char *out, u64 max) {
  u64 n = 0;
  if (s == NULL || *s == '-') return 0;
  while (*s && n < max) {
    if (*s == '*') {
      unsigned char b = (unsigned char)(nib(s[1]) << 4 | nib(s[2]));
      s += 3;
      u64 cnt = 0;
      while (*s && *s != ';') cnt = cnt << 4 | (u64)nib(*s++);
      if (*s == ';') s++;
      while (cnt-- > 0 && n < max) out[n++] = b;
    } else {
      if (!s[1]) break;
      out[n++] = (unsigned char)(nib(s[0]) << 4 | nib(s[1]));
      s += 2;
    }
  }
  return n;
}

/* ---------------------------------------------------------------- subject: CPU accesses */

/* Per thread: a fault is reported to (and recovered by) the thread that made it. */
static __thread sigjmp_buf fault_jmp;
static __thread volatile int fault_armed;
static __thread volatile int f_signo, f_code, f_lsb;
static __thread volatile u64 f_addr;
/*
 * Scratch buffers. The process-wide ones (g_*) are big; each worker also
 * has its own, smaller (WSCRATCH, WLINE for cpu w data), so a request
 * left pending (a thread blocked in a userfault) keeps its data while the
 * requests that run meanwhile use theirs. The thread-local pointers name
 * this thread's; a worker's request over its own size uses the shared one
 * (keep accesses that may block under WSCRATCH).
 */
#define WSCRATCH (256u << 10)
static unsigned char *g_big;   /* BIGBUF */
static unsigned char *g_wbuf;  /* MAXLINE / 2: cpu w data */
static unsigned char *g_rbtmp; /* BIGBUF: sys read-back copy */
static __thread unsigned char *big, *wbuf, *rbtmp;
static __thread u64 bigcap = BIGBUF, wcap = MAXLINE / 2;
static __thread unsigned char *acc_buf; /* where a guarded read puts its bytes */

/* What SIGSEGV / SIGBUS do: 0 catch (report, go on), 1 SIG_DFL, 2 SIG_IGN. */
static int disp_segv, disp_bus;

static void on_fault(int sig, siginfo_t *si, void *uc) {
  (void)uc;
  if (!fault_armed) {
    /* A fault outside a guarded access: the server itself is broken. */
    signal(sig, SIG_DFL);
    return;
  }
  f_signo = si->si_signo;
  f_code = si->si_code;
  f_addr = (u64)si->si_addr;
  f_lsb = (si->si_signo == SIGBUS && (si->si_code == BUS_MCEERR_AR || si->si_code == BUS_MCEERR_AO))
              ? si->si_addr_lsb
              : -1;
  fault_armed = 0;
  siglongjmp(fault_jmp, 1);
}

#define ALTSTACK (1u << 16)
static char *altstack; /* ALTSTACK */

static void install_altstack(char *sp) {
  stack_t ss = {.ss_sp = sp, .ss_size = ALTSTACK, .ss_flags = 0};
  sigaltstack(&ss, NULL);
}

static void install_handlers(void) {
  install_altstack(altstack);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
}

/* The kinds of access: read, write, fill, exec-by-load, exec-by-jump. */
enum { A_READ, A_WRITE, A_FILL, A_EXEC_LOAD, A_EXEC_JUMP };

static __thread volatile u64 done_count;

/*
 * One access, byte by byte (as mmlab's cpuRead/cpuWrite go: a fault stops
 * it, si_addr is the byte that faulted). Returns 0, or 1 with f_* set.
 */
static int guarded(int kind, u64 addr, u64 len, const unsigned char *src, unsigned char fill) {
  done_count = 0;
  if (sigsetjmp(fault_jmp, 1)) return 1;
  fault_armed = 1;
  volatile unsigned char *p = (volatile unsigned char *)addr;
  switch (kind) {
  case A_READ:
    for (u64 i = 0; i < len; i++) {
      acc_buf[i] = p[i];
      done_count = i + 1;
    }
    break;
  case A_WRITE:
    for (u64 i = 0; i < len; i++) {
      p[i] = src[i];
      done_count = i + 1;
    }
    break;
  case A_FILL:
    for (u64 i = 0; i < len; i++) {
      p[i] = fill;
      done_count = i + 1;
    }
    break;
  case A_EXEC_LOAD:
    (void)p[0];
    break;
  case A_EXEC_JUMP:
    /* Only ever reached for targets that cannot execute (see op_cpu). */
    ((void (*)(void))addr)();
    break;
  }
  fault_armed = 0;
  return 0;
}

/* The mapping containing addr or the first one above it, from /proc/self/maps. */
struct vmainfo {
  u64 start, end;
  char perms[5];
  int found;
};

static char *mbuf; /* IOBUF */

/* Calls fn(start, end, text, len, arg) for each line of a /proc/self file. */
typedef void (*line_fn)(const char *text, unsigned len, void *arg);

#define LBUF (1u << 16)
static char *lbuf; /* LBUF */

static void each_line(const char *path, line_fn fn, void *arg) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  unsigned n = 0;
  for (;;) {
    ssize_t r = read(fd, mbuf, IOBUF);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; i++) {
      if (mbuf[i] == '\n') {
        lbuf[n] = 0;
        fn(lbuf, n, arg);
        n = 0;
      } else if (n + 1 < LBUF) {
        lbuf[n++] = mbuf[i];
      }
    }
  }
  if (n > 0) {
    lbuf[n] = 0;
    fn(lbuf, n, arg);
  }
  close(fd);
}

/* Parses "start-end perms ..." of a maps line; returns 0 if it is not one. */
static int parse_range(const char *s, u64 *start, u64 *end) {
  u64 a = 0, b = 0;
  const char *p = s;
  int digits = 0;
  for (; *p && *p != '-'; p++, digits++) {
    char c = *p;
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
    a = a << 4 | (u64)nib(c);
  }
  if (*p != '-' || digits == 0) return 0;
  p++;
  digits = 0;
  for (; *p && *p != ' '; p++, digits++) {
    char c = *p;
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return 0;
    b = b << 4 | (u64)nib(c);
  }
  if (*p != ' ' || digits == 0) return 0;
  *start = a;
  *end = b;
  return 1;
}

struct find_arg {
  u64 addr;
  struct vmainfo *vi;
};

static void find_cb(const char *text, unsigned len, void *arg) {
  (void)len;
  struct find_arg *fa = arg;
  u64 s, e;
  if (fa->vi->found || !parse_range(text, &s, &e)) return;
  if (e > fa->addr) {
    fa->vi->found = 1;
    fa->vi->start = s;
    fa->vi->end = e;
    const char *p = strchr(text, ' ');
    if (p) memcpy(fa->vi->perms, p + 1, 4);
    fa->vi->perms[4] = 0;
  }
}

static void find_vma(u64 addr, struct vmainfo *vi) {
  memset(vi, 0, sizeof *vi);
  struct find_arg fa = {addr, vi};
  each_line("/proc/self/maps", find_cb, &fa);
}

static int disp_of(int signo) { return signo == SIGBUS ? disp_bus : disp_segv; }

/* After a reported fault with SIG_DFL/SIG_IGN: fault again for real and die of it. */
static void die_for_real(int kind, u64 at) {
  int signo = f_signo;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = disp_of(signo) == 2 ? SIG_IGN : SIG_DFL;
  sigaction(signo, &sa, NULL);
  /* The other fault signal keeps its own disposition. */
  volatile unsigned char *p = (volatile unsigned char *)at;
  if (kind == A_READ || kind == A_EXEC_LOAD) (void)p[0];
  else if (kind == A_EXEC_JUMP) ((void (*)(void))at)();
  else p[0] = 0; /* the same store faults again: nothing is written */
  /* Still alive: the access did not fault the second time. */
  _exit(125);
}

static void op_cpu(void) {
  char *k = tok();
  u64 addr = hexval(tok());
  int kind;
  u64 len = 0;
  unsigned char fill = 0;
  const unsigned char *src = NULL;
  if (k == NULL) return;
  switch (k[0]) {
  case 'r':
    kind = A_READ;
    len = hexval(tok());
    if (len > BIGBUF) len = BIGBUF;
    acc_buf = len <= bigcap ? big : g_big;
    break;
  case 'w': {
    kind = A_WRITE;
    char *d = tok();
    unsigned char *wb = d != NULL && strlen(d) / 2 <= wcap ? wbuf : g_wbuf;
    len = getdata(d, wb, MAXLINE / 2);
    src = wb;
    break;
  }
  case 'f':
    kind = A_FILL;
    fill = (unsigned char)hexval(tok());
    len = hexval(tok());
    break;
  case 'x': {
    /*
     * An instruction fetch. Memory that may execute is never jumped into:
     * on x86 an exec fault on an executable VMA resolves exactly like a
     * read fault (same handle_mm_fault, same si_addr), so a load stands in
     * for it. Targets that cannot execute are jumped to for real: the
     * fetch faults before any byte runs. The vsyscall page is refused.
     */
    if (addr >= 0xffffffffff600000UL && addr < 0xffffffffff601000UL) {
      puts_("unsupported\n");
      return;
    }
    kind = A_EXEC_JUMP;
    if (addr < 0x800000000000UL) {
      struct vmainfo vi;
      find_vma(addr, &vi);
      if (vi.found && vi.perms[2] == 'x') kind = A_EXEC_LOAD;
    }
    break;
  }
  default:
    puts_("bad\n");
    return;
  }
  int faulted = guarded(kind, addr, len, src, fill);
  if (!faulted) {
    puts_("ok ");
    puthex(done_count);
    if (kind == A_READ) {
      putc_(' ');
      putdata(acc_buf, len);
    }
    putc_('\n');
    return;
  }
  puts_("sig ");
  puthex((u64)f_signo);
  putc_(' ');
  puthex((u64)(unsigned)f_code);
  putc_(' ');
  puthex(f_addr);
  putc_(' ');
  puthex(f_lsb < 0 ? (u64)-1 : (u64)f_lsb);
  putc_(' ');
  puthex(done_count);
  if (kind == A_READ) {
    putc_(' ');
    putdata(acc_buf, done_count);
  }
  putc_('\n');
  if (disp_of(f_signo) != 0) {
    puts_("die\n");
    end_reply();
    u64 at = kind == A_EXEC_JUMP || kind == A_EXEC_LOAD ? addr : addr + done_count;
    die_for_real(kind, at);
  }
}

/* ---------------------------------------------------------------- subject: syscalls */

static unsigned char (*g_sbuf)[1 << 16];      /* 6 of them */
static __thread unsigned char (*sbuf)[1 << 16]; /* this thread's (a worker has its own) */

/*
 * sys NR A0..A5 [sI=DATA]... [rI=N|rI=ret]
 * sI: argument I is the address of these bytes (NUL-terminated).
 * rI: after the call, read N (or ret) bytes back from argument I.
 */
static void op_sys(void) {
  long nr = (long)hexval(tok());
  u64 a[6];
  for (int i = 0; i < 6; i++) a[i] = hexval(tok());
  int rb_arg = -1;
  int rb_ret = 0;
  u64 rb_len = 0;
  char *t;
  while ((t = tok()) != NULL) {
    if (t[0] == 's' && t[1] >= '0' && t[1] <= '5' && t[2] == '=') {
      int i = t[1] - '0';
      memset(sbuf[i], 0, sizeof sbuf[i]);
      getdata(t + 3, sbuf[i], sizeof sbuf[i] - 1);
      a[i] = (u64)sbuf[i];
    } else if (t[0] == 'r' && t[1] >= '0' && t[1] <= '5' && t[2] == '=') {
      rb_arg = t[1] - '0';
      if (strcmp(t + 3, "ret") == 0) rb_ret = 1;
      else rb_len = hexval(t + 3);
    } else if (t[0] == 'b' && t[1] >= '0' && t[1] <= '5' && t[2] == '=') {
      /* bI=N: argument I is a scratch buffer (for a vector the caller omitted). */
      int i = t[1] - '0';
      (void)hexval(t + 3);
      a[i] = (u64)(i == 1 && a[2] > bigcap ? g_big : big);
    }
  }
  long r = raw6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  puts_("= ");
  puthex((u64)r);
  if (rb_arg >= 0 && r >= 0) {
    volatile u64 n = rb_ret ? (u64)r : rb_len;
    putc_(' ');
    if (n > BIGBUF) n = BIGBUF;
    if ((u64)a[rb_arg] == (u64)big || (u64)a[rb_arg] == (u64)g_big) {
      putdata((unsigned char *)a[rb_arg], n);
    } else {
      done_count = 0;
      /* A guarded copy: the buffer may have become unreadable. */
      if (sigsetjmp(fault_jmp, 1)) {
        putc_('!');
      } else {
        fault_armed = 1;
        volatile unsigned char *p = (volatile unsigned char *)a[rb_arg];
        unsigned char *rb = n <= bigcap ? rbtmp : g_rbtmp;
        for (u64 i = 0; i < n; i++) rb[i] = p[i];
        fault_armed = 0;
        putdata(rb, n);
      }
    }
  }
  putc_('\n');
}

/* signal(signo, handler): 0 SIG_DFL, 1 SIG_IGN, other: catch and report. */
static void op_signal(void) {
  long signo = (long)hexval(tok());
  u64 h = hexval(tok());
  int d = h == 0 ? 1 : h == 1 ? 2 : 0;
  long r;
  if (signo == SIGSEGV || signo == SIGBUS) {
    /* The handler stays installed: it reports, then applies the disposition. */
    if (signo == SIGSEGV) disp_segv = d;
    else disp_bus = d;
    r = 0;
  } else {
    /* Only the validity of the request is observable: try it, then restore. */
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = d == 2 ? SIG_IGN : SIG_DFL;
    r = sigaction((int)signo, &sa, &old) == 0 ? 0 : -errno;
    if (r == 0) sigaction((int)signo, &old, NULL);
  }
  puts_("= ");
  puthex((u64)r);
  putc_('\n');
}

/* maps / smaps restricted to the VMAs meeting [lo, hi) */
struct filt {
  u64 lo, hi;
  int keep;
};

static void filt_cb(const char *text, unsigned len, void *arg) {
  struct filt *f = arg;
  u64 s, e;
  if (parse_range(text, &s, &e)) f->keep = s < f->hi && e > f->lo;
  if (f->keep) {
    puts_("l ");
    put(text, len);
    putc_('\n');
  }
}

static void op_view(const char *file) {
  struct filt f = {0, 0, 0};
  f.lo = hexval(tok());
  f.hi = hexval(tok());
  each_line(file, filt_cb, &f);
}

static void count_cb(const char *text, unsigned len, void *arg) {
  (void)len;
  u64 s, e;
  if (parse_range(text, &s, &e) && s < 0x800000000000UL) ++*(long *)arg;
}

static long map_count(void) {
  long n = 0;
  each_line("/proc/self/maps", count_cb, &n);
  return n;
}

/* The VMAs as ranges (for reserve). */
#define NRANGES (2 * 200000)
static u64 *ranges; /* NRANGES */
static long nranges;

static void ranges_cb(const char *text, unsigned len, void *arg) {
  (void)len;
  (void)arg;
  u64 s, e;
  if (nranges < 200000 && parse_range(text, &s, &e)) {
    ranges[2 * nranges] = s;
    ranges[2 * nranges + 1] = e;
    nranges++;
  }
}

/* The last page of the private placeholder above the window: pad cuts its holes there. */
static u64 pad_top;

static long placeholder(u64 start, u64 end, int shared) {
  int flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE | MAP_NORESERVE;
  return raw6(SYS_mmap, start, end - start, PROT_NONE, (u64)flags, (u64)-1, 0);
}

/*
 * reserve HI BASE: fills every free gap of [HI, BASE) with PROT_NONE
 * placeholders, the first page at HI a shared one (it never merges with a
 * mapping made just below HI). Replies the map count.
 */
static void op_reserve(void) {
  u64 hi = hexval(tok());
  u64 base = hexval(tok());
  nranges = 0;
  each_line("/proc/self/maps", ranges_cb, NULL);
  u64 cur = hi;
  long err = 0;
  for (long i = 0; i <= nranges && cur < base; i++) {
    u64 s = i < nranges ? ranges[2 * i] : base;
    u64 e = i < nranges ? ranges[2 * i + 1] : base;
    if (e <= cur) continue;
    if (s > base) s = base;
    if (s > cur) {
      u64 from = cur;
      if (from == hi) {
        long r = placeholder(from, from + 4096, 1);
        if (r < 0 && !err) err = r;
        from += 4096;
      }
      if (from < s) {
        long r = placeholder(from, s, 0);
        if (r < 0 && !err) err = r;
        if (from == hi + 4096) pad_top = s - 4096;
      }
    } else if (cur == hi) {
      err = -EEXIST; /* something already sits at the window's top */
    }
    if (e > cur) cur = e;
  }
  puts_("= ");
  puthex(err ? (u64)err : (u64)map_count());
  putc_('\n');
}

/*
 * pad TARGET HI: adds VMAs until the map count is TARGET. Each one-page
 * PROT_READ island (mprotect) inside the private placeholder above HI adds
 * two VMAs, while splits are allowed (up to max_map_count); the rest, one
 * by one, are shared pages mapped into holes cut at the placeholder's top
 * (a tail unmap needs no split, and mmap may take the count to
 * max_map_count + 1). Islands go up from
 * HI + 1G (window.ts PAD_ISLANDS: clear of the pages just above the window
 * that a command may reach), holes down from the top, so pad may be called
 * again. Replies
 * the map count.
 */
static u64 pad_next;

static long sysctl_max_map_count(void) {
  char b[32];
  long v = 65530;
  int fd = open("/proc/sys/vm/max_map_count", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, b, sizeof b - 1);
    if (n > 0) {
      v = 0;
      for (ssize_t i = 0; i < n && b[i] >= '0' && b[i] <= '9'; i++) v = v * 10 + (b[i] - '0');
    }
    close(fd);
  }
  return v;
}

static void op_pad(void) {
  long target = (long)hexval(tok());
  u64 hi = hexval(tok());
  long have = map_count();
  long err = 0;
  if (pad_next == 0) pad_next = hi + 0x40000000;
  if (target < have) err = -EINVAL;
  else if (target > have) {
    long d = target - have;
    /* Splits stop at max_map_count: the rest are holes with shared pages. */
    long max = sysctl_max_map_count();
    long k = d / 2;
    if (have + 2 * k > max) k = max > have ? (max - have) / 2 : 0;
    long holes = d - 2 * k;
    if (pad_top < pad_next + (u64)(2 * k + holes + 2) * 4096) err = -ENOMEM;
    for (long i = 0; i < k && !err; i++) {
      long r = raw6(SYS_mprotect, pad_next, 4096, PROT_READ, 0, 0, 0);
      if (r < 0) err = r;
      pad_next += 8192;
    }
    for (long i = 0; i < holes && !err; i++) {
      long r = raw6(SYS_munmap, pad_top, 4096, 0, 0, 0, 0);
      if (r == 0) r = placeholder(pad_top, pad_top + 4096, 1);
      if (r < 0) err = r;
      else pad_top -= 4096;
    }
  }
  puts_("= ");
  puthex(err ? (u64)err : (u64)map_count());
  putc_('\n');
}

static u64 vdso_start;

static void vdso_cb(const char *text, unsigned len, void *arg) {
  (void)arg;
  u64 s, e;
  if (len > 6 && strcmp(text + len - 6, "[vdso]") == 0 && parse_range(text, &s, &e)) vdso_start = s;
}

/* The highest end of a VMA below the stack region (mmap_base without ASLR), the map count, the pid, [vdso]. */
static void op_hello(void) {
  nranges = 0;
  each_line("/proc/self/maps", ranges_cb, NULL);
  u64 best = 0;
  for (long i = 0; i < nranges; i++) {
    u64 e = ranges[2 * i + 1];
    if (e <= 0x7ffff8000000UL && e > best) best = e;
  }
  puts_("= ");
  puthex(best);
  putc_(' ');
  puthex((u64)map_count());
  putc_(' ');
  puthex((u64)getpid());
  putc_(' ');
  each_line("/proc/self/maps", vdso_cb, NULL);
  puthex(vdso_start);
  putc_('\n');
}

/* readfile PATH: the first 1 MiB of a file (the host facts: /proc, /sys), or -errno. */
static void op_readfile(void) {
  static unsigned char path[4096];
  memset(path, 0, sizeof path);
  getdata(tok(), path, sizeof path - 1);
  long n = 0, err = 0;
  int fd = open((const char *)path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) err = -errno;
  else {
    for (;;) {
      ssize_t r = read(fd, big + n, (1u << 20) - (size_t)n);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) err = -errno;
      if (r <= 0) break;
      n += r;
      if (n >= (1 << 20)) break;
    }
    close(fd);
  }
  puts_("= ");
  puthex(err ? (u64)err : (u64)n);
  if (!err) {
    putc_(' ');
    putdata(big, (u64)n);
  }
  putc_('\n');
}

static int chan = CHAN;
static int nworkers; /* threads started (see op_thread) */

/* fork: the child serves on a new socketpair; its router end goes back with SCM_RIGHTS. */
/* Returns 1 in the child, 0 in the parent (which has replied). */
static int op_fork(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
    puts_("= ");
    puthex((u64)-errno);
    putc_('\n');
    return 0;
  }
  long pid = raw6(SYS_fork, 0, 0, 0, 0, 0, 0);
  if (pid == 0) {
    dup2(sv[1], chan);
    close(sv[0]);
    close(sv[1]);
    nworkers = 0; /* the child has the forking thread only */
    inbuf.pos = inbuf.len = 0;
    olen = 0;
    /* Another thread may have held the lock at the fork: the child has none of them. */
    pthread_mutex_init(&wlock, NULL);
    wheld = 0;
    self_w = NULL;
    return 1; /* no reply from the child: the parent answers */
  }
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    puts_("= ");
    puthex((u64)pid);
    putc_('\n');
    return 0;
  }
  char text[64];
  unsigned n = fmt_hex(text, "= ", (u64)pid);
  memcpy(text + n, "\n.\n", 3);
  n += 3;
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct iovec iov = {.iov_base = text, .iov_len = n};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &sv[0], sizeof(int));
  pthread_mutex_lock(&wlock);
  reply_header();
  while (sendmsg(chan, &msg, 0) < 0 && errno == EINTR) {
  }
  pthread_mutex_unlock(&wlock);
  close(sv[0]);
  /* The reply has been sent: the caller must not end it again. */
  olen = 0;
  return 0;
}

static void op_wait(void) {
  long pid = (long)hexval(tok());
  int st = 0;
  long r;
  do {
    r = waitpid((pid_t)pid, &st, 0);
  } while (r < 0 && errno == EINTR);
  puts_("= ");
  puthex(r < 0 ? (u64)-errno : (u64)(unsigned)st);
  putc_('\n');
}

/*
 * Threads. The subject's main thread reads every request from the channel;
 * one addressed `@IDX OP ...` goes to worker IDX, a real thread (glibc's
 * pthread_create on the stack the request names), which runs it while the
 * main thread waits: syscalls, accesses and faults happen in that thread,
 * and a fault is reported by the thread that made it (the fault state is
 * per thread, each worker has its own sigaltstack).
 *
 * Asynchronous replies: the main thread waits PENDING_MS for the worker.
 * A worker still busy then (blocked in the kernel: nanosleep, later a
 * userfault) is left to it: the main thread replies `pending` and reads
 * the next request, and the worker sends its reply later on its own,
 * tagged `@IDX` (under the write lock, from its own buffer). Only `sys`
 * and `cpu` requests may go pending. A request to a worker that is still
 * busy replies `busy`. Each worker copies its
 * request line (up to WLINE; a longer one is waited for to the end). Each
 * worker has its own scratch buffers (sbuf, big, wbuf, rbtmp; see
 * WSCRATCH), so a pending request's data is not reused by the requests
 * that run meanwhile.
 */
#define MAXTHREADS 64
#define WLINE (1u << 16)
#define PENDING_MS 40
struct worker {
  pthread_t th;
  sem_t go, done;
  long tid; /* the host tid */
  int gone; /* the thread ended with exit() */
  int idx;
  int busy;    /* a request runs (main thread only) */
  int async;   /* its main thread stopped waiting: the reply is tagged (under wlock) */
  int replied; /* the reply has started (under wlock) */
  char *lbuf;  /* WLINE, the request's copy */
  char *req;   /* the request's rest: lbuf, or in the main thread's line */
};
static struct worker *workers; /* MAXTHREADS */
static char *thr_altstacks; /* MAXTHREADS * ALTSTACK */
static char *thr_obufs;     /* MAXTHREADS * IOBUF */
static char *thr_lines;     /* MAXTHREADS * WLINE */
/* A worker's scratch: big, rbtmp (WSCRATCH each), wbuf (WLINE), sbuf (6 * 64 KiB). */
#define WSCRATCH_ALL (2 * WSCRATCH + WLINE + (6u << 16))
static unsigned char *thr_scratch; /* MAXTHREADS * WSCRATCH_ALL */

/* Under wlock, at a reply's first bytes: a late worker's reply names its worker. */
static void reply_header(void) {
  struct worker *w = self_w;
  if (w == NULL) return;
  w->replied = 1;
  if (!w->async) return;
  char h[24];
  unsigned n = fmt_hex(h, "@", (u64)w->idx);
  h[n++] = '\n';
  write_all(out_fd, h, n);
}

static void dispatch(const char *op);
static void subject(void);

static void *worker_main(void *arg) {
  struct worker *w = arg;
  install_altstack(thr_altstacks + (size_t)(w - workers) * ALTSTACK);
  obuf = thr_obufs + (size_t)w->idx * IOBUF;
  w->lbuf = thr_lines + (size_t)w->idx * WLINE;
  w->tid = raw6(SYS_gettid, 0, 0, 0, 0, 0, 0);
  big = thr_scratch + (size_t)w->idx * WSCRATCH_ALL;
  rbtmp = big + WSCRATCH;
  wbuf = rbtmp + WSCRATCH;
  sbuf = (unsigned char (*)[1 << 16])(wbuf + WLINE);
  bigcap = WSCRATCH;
  wcap = WLINE;
  sem_post(&w->done);
  for (;;) {
    while (sem_wait(&w->go) < 0 && errno == EINTR) {
    }
    self_w = w;
    tok_next = w->req;
    char *op = tok();
    if (op != NULL && strcmp(op, "texit") == 0) {
      /* exit(CODE): this thread alone ends (the kernel's do_exit). */
      long code = (long)hexval(tok());
      puts_("gone\n");
      end_reply();
      w->gone = 1;
      self_w = NULL;
      sem_post(&w->done);
      raw6(SYS_exit, (u64)code, 0, 0, 0, 0, 0);
    }
    if (op == NULL) end_reply();
    else if (strcmp(op, "fork") == 0) {
      /* fork in a thread: the child's one thread is this one, and it serves the child. */
      if (op_fork()) subject();
      /* The parent replied with sendmsg() (or an error line, ended here). */
      if (olen > 0) end_reply();
    } else dispatch(op);
    /* A late reply has been sent tagged; else the main thread waits for this. */
    pthread_mutex_lock(&wlock);
    int late = w->async;
    w->async = 0;
    w->busy = 0;
    self_w = NULL;
    pthread_mutex_unlock(&wlock);
    if (!late) sem_post(&w->done);
  }
  return NULL;
}

/*
 * rawclone FLAGS: the real clone(FLAGS, 0, 0, 0, 0), for its errno. A
 * child that is created runs nothing but exit (registers only: with
 * CLONE_VM it shares this stack), so a success leaves no trace but a
 * zombie; `= RET` (a host id, or -errno).
 */
static void op_rawclone(void) {
  u64 flags = hexval(tok());
  long ret;
  register long r10 __asm__("r10") = 0; /* child_tid */
  register long r8 __asm__("r8") = 0;   /* tls */
  __asm__ volatile("syscall\n\t"
                   "test %%rax, %%rax\n\t"
                   "jnz 1f\n\t"
                   "mov $60, %%eax\n\t"
                   "xor %%edi, %%edi\n\t"
                   "syscall\n\t"
                   "1:\n\t"
                   : "=a"(ret)
                   : "0"((long)SYS_clone), "D"(flags), "S"(0L), "d"(0L), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  puts_("= ");
  puthex((u64)ret);
  putc_('\n');
}

/* thread STACK SIZE: a thread on [STACK, STACK+SIZE) as pthread_create makes it; `= IDX HOSTTID`. */
static void op_thread(void) {
  u64 stack = hexval(tok()), size = hexval(tok());
  if (nworkers >= MAXTHREADS) {
    puts_("= ");
    puthex((u64)-EAGAIN);
    putc_('\n');
    return;
  }
  struct worker *w = &workers[nworkers];
  memset(w, 0, sizeof *w);
  w->idx = nworkers;
  sem_init(&w->go, 0, 0);
  sem_init(&w->done, 0, 0);
  pthread_attr_t at;
  pthread_attr_init(&at);
  int e = pthread_attr_setstack(&at, (void *)stack, size);
  if (e == 0) e = pthread_create(&w->th, &at, worker_main, w);
  pthread_attr_destroy(&at);
  if (e != 0) {
    puts_("= ");
    puthex((u64)-e);
    putc_('\n');
    return;
  }
  while (sem_wait(&w->done) < 0 && errno == EINTR) {
  }
  puts_("= ");
  puthex((u64)nworkers);
  putc_(' ');
  puthex((u64)w->tid);
  putc_('\n');
  nworkers++;
}

static void dispatch(const char *op) {
  if (strcmp(op, "sys") == 0) op_sys();
  else if (strcmp(op, "cpu") == 0) op_cpu();
  else if (strcmp(op, "signal") == 0) op_signal();
  else if (strcmp(op, "maps") == 0) op_view("/proc/self/maps");
  else if (strcmp(op, "smaps") == 0) op_view("/proc/self/smaps");
  else if (strcmp(op, "mapcount") == 0) {
    puts_("= ");
    puthex((u64)map_count());
    putc_('\n');
  } else if (strcmp(op, "reserve") == 0) op_reserve();
  else if (strcmp(op, "pad") == 0) op_pad();
  else if (strcmp(op, "hello") == 0) op_hello();
  else if (strcmp(op, "wait") == 0) op_wait();
  else if (strcmp(op, "readfile") == 0) op_readfile();
  else if (strcmp(op, "thread") == 0) op_thread();
  else if (strcmp(op, "rawclone") == 0) op_rawclone();
  else if (strcmp(op, "exit") == 0) {
    long code = (long)hexval(tok());
    puts_("die\n");
    end_reply();
    raw6(SYS_exit_group, (u64)code, 0, 0, 0, 0, 0);
  } else {
    puts_("bad op\n");
  }
  end_reply();
}

static void subject(void) {
  out_fd = chan;
  install_handlers();
  for (;;) {
    if (read_line(chan) < 0) _exit(0);
    tok_next = line;
    char *op = tok();
    if (op == NULL) {
      end_reply();
      continue;
    }
    if (op[0] == '@') {
      int i = (int)hexval(op + 1);
      if (i < 0 || i >= nworkers || workers[i].gone) {
        puts_("dead\n");
        end_reply();
        continue;
      }
      struct worker *w = &workers[i];
      pthread_mutex_lock(&wlock);
      int busy = w->busy;
      /* A late reply already sent: the worker is only finishing up (clearing busy
         after the reply). Wait for that (up to 5 s) rather than answer busy: the
         caller has its reply and may well ask again at once. */
      for (int spins = 0; busy && w->async && w->replied && !w->gone && spins < 50000; spins++) {
        pthread_mutex_unlock(&wlock);
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&wlock);
        busy = w->busy;
      }
      pthread_mutex_unlock(&wlock);
      if (busy) {
        puts_("busy\n");
        end_reply();
        continue;
      }
      /* The request's rest, copied when it fits (a longer one is waited for). */
      size_t len = tok_next ? strlen(tok_next) : 0;
      int fits = len + 1 < WLINE;
      /* Only a syscall or an access may go pending (fork's reply carries an fd; thread, texit: the router's ids). */
      const char *q = tok_next ? tok_next : "";
      while (*q == ' ') q++;
      int may_pend = strncmp(q, "sys ", 4) == 0 || strncmp(q, "cpu ", 4) == 0;
      if (fits) memcpy(w->lbuf, tok_next ? tok_next : "", len + 1);
      w->req = fits ? w->lbuf : tok_next;
      w->busy = 1;
      w->async = 0;
      w->replied = 0;
      sem_post(&w->go);
      if (!fits || !may_pend) {
        while (sem_wait(&w->done) < 0 && errno == EINTR) {
        }
        continue;
      }
      struct timespec dl;
      clock_gettime(CLOCK_REALTIME, &dl);
      dl.tv_nsec += PENDING_MS * 1000000L;
      if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
      }
      int r;
      while ((r = sem_timedwait(&w->done, &dl)) < 0 && errno == EINTR) {
      }
      if (r == 0) continue;
      /* Not answered in time: pending, unless its reply has begun meanwhile. */
      pthread_mutex_lock(&wlock);
      if (w->replied || !w->busy) {
        pthread_mutex_unlock(&wlock);
        while (sem_wait(&w->done) < 0 && errno == EINTR) {
        }
        continue;
      }
      w->async = 1;
      wheld = 1;
      puts_("pending\n");
      end_reply();
      continue;
    }
    if (strcmp(op, "fork") == 0) {
      /* The parent replied with sendmsg(); the child waits for requests. */
      if (!op_fork() && olen > 0) end_reply();
      continue;
    }
    dispatch(op);
  }
}

/* ---------------------------------------------------------------- router */

struct proc {
  long hostpid;
  int fd;    /* channel, -1 when dead */
  int parent; /* vpid of the parent, 0 for the router */
  int group;  /* a thread: the vpid of its process (0 for a process) */
  int idx;    /* a thread: its worker index in the subject */
};

static struct proc *procs; /* MAXPROCS */
static int nprocs; /* highest vpid */

static char *rline; /* MAXLINE */

/* The router's readers of replies, one per channel (by fd): a late reply may follow another. */
#define MAXFD 4096
static struct linebuf *chanbufs; /* MAXFD, malloc'ed by the router */

static struct linebuf *chanbuf(int fd) {
  struct linebuf *b = &chanbufs[fd];
  if (b->buf == NULL) {
    b->buf = malloc(IOBUF);
    if (b->buf == NULL) _exit(112);
    b->fd = fd;
  }
  return b;
}

static void chan_reset(int fd) {
  if (fd >= 0 && fd < MAXFD) chanbufs[fd].pos = chanbufs[fd].len = 0;
}

static long chan_line(int fd, char *out, unsigned max) { return buf_line(chanbuf(fd), fd, out, max); }

static char *reply; /* MAXLINE */

static long reap(int vpid);

/* A dying process: waits for its channel to close, then its wait status. */
static long bury(int vpid) {
  struct proc *p = &procs[vpid];
  while (chan_line(p->fd, reply, MAXLINE) >= 0) {
  }
  close(p->fd);
  chan_reset(p->fd);
  p->fd = -1;
  for (int i = 1; i <= nprocs; i++)
    if (procs[i].group == vpid) procs[i].fd = -1;
  return reap(vpid);
}

/*
 * A late reply on process vpid's channel, after its `@IDX` line: each of
 * its lines goes out as `!VTID LINE` (VTID: the thread the request was
 * for), ending with `!VTID .`. Returns -1 at EOF.
 */
static long late_reply(int vpid, const char *hdr) {
  int idx = (int)hexval(hdr + 1), tv = 0;
  for (int i = 1; i <= nprocs; i++)
    if (procs[i].group == vpid && procs[i].idx == idx) tv = i;
  char tag[24];
  unsigned tn = fmt_hex(tag, "!", (u64)tv);
  tag[tn++] = ' ';
  int dying = 0;
  for (;;) {
    long n = chan_line(procs[vpid].fd, reply, MAXLINE);
    if (n < 0) return -1;
    if (strcmp(reply, "die") == 0) {
      dying = 1;
      continue;
    }
    if (reply[0] == '.' && reply[1] == 0) break;
    put(tag, tn);
    puts_(reply);
    putc_('\n');
  }
  if (dying) {
    /* The late request killed its process (a fault under SIG_DFL, exit): its wait status, as route() adds it. */
    long st = bury(vpid);
    put(tag, tn);
    puts_("exit ");
    puthex((u64)st);
    putc_('\n');
  }
  put(tag, tn);
  puts_(".\n");
  return dying ? 1 : 0;
}

/* The next line of a reply from vpid's channel, passing on late replies met first. */
static long reply_line(int vpid) {
  for (;;) {
    long n = chan_line(procs[vpid].fd, reply, MAXLINE);
    if (n < 0 || reply[0] != '@') return n;
    if (late_reply(vpid, reply) != 0) return -1;
  }
}

static void send_line(int fd, const char *s, size_t n) {
  char nl = '\n';
  struct iovec iov[2] = {{(void *)s, n}, {&nl, 1}};
  size_t total = n + 1, sent = 0;
  while (sent < total) {
    ssize_t w = writev(fd, iov, 2);
    if (w < 0) {
      if (errno == EINTR) continue;
      return;
    }
    sent += (size_t)w;
    if (sent >= total) break;
    /* Partial write: finish with plain writes. */
    size_t off = sent;
    if (off < n) write_all(fd, s + off, n - off);
    write_all(fd, "\n", 1);
    break;
  }
}

/* The wait status of a dead subject, reaped by its parent or by the router. */
static long reap(int vpid) {
  struct proc *p = &procs[vpid];
  int par = p->parent;
  if (par > 0 && procs[par].fd >= 0) {
    char req[64];
    unsigned n = fmt_hex(req, "wait ", (u64)p->hostpid);
    send_line(procs[par].fd, req, n);
    long st = -1;
    for (;;) {
      long r = reply_line(par);
      if (r < 0) break;
      if (reply[0] == '.' && reply[1] == 0) break;
      if (reply[0] == '=') st = (long)hexval(reply + 2);
    }
    if (st >= 0) return st;
  }
  int st = 0;
  long r;
  do {
    r = waitpid((pid_t)p->hostpid, &st, 0);
  } while (r < 0 && errno == EINTR);
  return r < 0 ? -1 : st;
}

static void router_reply_line(const char *s) {
  puts_(s);
  putc_('\n');
}

/* Forwards a request to vpid and copies the reply; handles death and fork. */
static void route(int vpid, char *req, int is_fork) {
  int tvpid = vpid; /* the thread addressed */
  int is_thread = strncmp(req, "thread ", 7) == 0;
  if (procs[vpid].group > 0) {
    /* A thread: its process's channel, the request marked with its worker. */
    char *treq = line; /* free: the router copied the request line to rline */
    unsigned n = fmt_hex(treq, "@", (u64)procs[vpid].idx);
    size_t len = strlen(req);
    if (len > MAXLINE - n - 2) len = MAXLINE - n - 2;
    treq[n++] = ' ';
    memcpy(treq + n, req, len);
    treq[n + len] = 0;
    req = treq;
    vpid = procs[vpid].group;
  }
  struct proc *p = &procs[vpid];
  send_line(p->fd, req, strlen(req));
  int dying = 0, eof = 0;
  if (is_fork) {
    /* The first bytes carry the child's channel. */
    union {
      char buf[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
    } u;
    char text[256];
    struct iovec iov = {.iov_base = text, .iov_len = sizeof text - 1};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
    ssize_t r;
    do {
      r = recvmsg(p->fd, &msg, 0);
    } while (r < 0 && errno == EINTR);
    if (r <= 0) {
      eof = 1;
    } else {
      int newfd = -1;
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&newfd, CMSG_DATA(c), sizeof(int));
      }
      /* Push the bytes into the channel reader (after what it holds). */
      struct linebuf *b = chanbuf(p->fd);
      if (b->pos > 0) {
        memmove(b->buf, b->buf + b->pos, b->len - b->pos);
        b->len -= b->pos;
        b->pos = 0;
      }
      if (b->len + (unsigned)r > IOBUF) r = IOBUF - b->len;
      memcpy(b->buf + b->len, text, (size_t)r);
      b->len += (unsigned)r;
      long line_n = reply_line(vpid);
      long hostpid = line_n > 2 ? (long)hexval(reply + 2) : -1;
      if (newfd >= 0 && hostpid > 0 && nprocs + 1 < MAXPROCS) {
        int v = ++nprocs;
        procs[v].hostpid = hostpid;
        procs[v].fd = newfd;
        procs[v].parent = vpid;
        puts_("= ");
        puthex((u64)v);
        putc_('\n');
      } else {
        if (newfd >= 0) close(newfd);
        router_reply_line(reply);
      }
      /* The rest of the reply (".") */
      for (;;) {
        long n = reply_line(vpid);
        if (n < 0) {
          eof = 1;
          break;
        }
        if (reply[0] == '.' && reply[1] == 0) break;
        router_reply_line(reply);
      }
    }
  } else {
    for (;;) {
      long n = reply_line(vpid);
      if (n < 0) {
        eof = 1;
        break;
      }
      if (reply[0] == '.' && reply[1] == 0) break;
      if (strcmp(reply, "die") == 0) {
        dying = 1;
        continue;
      }
      if (strcmp(reply, "gone") == 0) {
        /* The thread ended alone (exit). */
        procs[tvpid].fd = -1;
        router_reply_line("exit 0");
        continue;
      }
      if (is_thread && reply[0] == '=' && reply[1] == ' ' && strchr(reply + 2, ' ') != NULL &&
          nprocs + 1 < MAXPROCS) {
        /* = IDX HOSTTID: the new thread gets the next virtual id. */
        char *sp = strchr(reply + 2, ' ');
        *sp = 0;
        int v = ++nprocs;
        procs[v].idx = (int)hexval(reply + 2);
        procs[v].hostpid = (long)hexval(sp + 1);
        procs[v].fd = p->fd;
        procs[v].parent = 0;
        procs[v].group = vpid;
        puts_("= ");
        puthex((u64)v);
        putc_('\n');
        continue;
      }
      router_reply_line(reply);
    }
  }
  if ((dying || eof) && p->fd < 0) {
    /* A late reply met meanwhile killed the process (it carried the wait status). */
    router_reply_line("dead");
  } else if (dying || eof) {
    /* Wait for the channel to close: the subject is dead. */
    long st = bury(vpid);
    puts_("exit ");
    puthex((u64)st);
    putc_('\n');
  }
  end_reply();
}

/*
 * Closes every fd above 2 but the channel: whatever the caller left open
 * (a shell's `exec 3<file`, Deno's own descriptors) would otherwise be
 * inherited, and the subject's first open() would return 4 where mmlab's
 * process, which starts with fds 0-2 only, gets 3.
 */
static void close_inherited(void) {
#ifdef SYS_close_range
  if (raw6(SYS_close_range, 3, CHAN - 1, 0, 0, 0, 0) == 0 &&
      raw6(SYS_close_range, CHAN + 1, ~0u, 0, 0, 0, 0) == 0)
    return;
#endif
  struct rlimit nf;
  long top = getrlimit(RLIMIT_NOFILE, &nf) == 0 && nf.rlim_cur != RLIM_INFINITY ? (long)nf.rlim_cur : 65536;
  if (top > (1L << 20)) top = 1L << 20;
  for (long fd = 3; fd < top; fd++)
    if (fd != CHAN) close((int)fd);
}

static void spawn_subject(const char *self) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) _exit(3);
  pid_t pid = fork();
  if (pid < 0) _exit(3);
  if (pid == 0) {
    close(sv[0]);
    dup2(sv[1], CHAN);
    close(sv[1]);
    int nul = open("/dev/null", O_RDWR);
    dup2(nul, 0);
    dup2(nul, 1);
    dup2(nul, 2);
    if (nul > 2) close(nul);
    close_inherited();
    /* mmap_base = TASK_SIZE - max(RLIMIT_STACK + guard gap, 128 MiB) without ASLR. */
    struct rlimit stack = {8UL << 20, 8UL << 20};
    struct rlimit cur;
    if (getrlimit(RLIMIT_STACK, &cur) == 0 && cur.rlim_max != RLIM_INFINITY && cur.rlim_max < stack.rlim_max)
      stack.rlim_max = cur.rlim_max;
    setrlimit(RLIMIT_STACK, &stack);
    /* A real core dump, so the wait status says "core dumped" where the host can dump. */
    struct rlimit core = {RLIM_INFINITY, RLIM_INFINITY};
    if (setrlimit(RLIMIT_CORE, &core) != 0) {
      getrlimit(RLIMIT_CORE, &core);
      core.rlim_cur = core.rlim_max;
      setrlimit(RLIMIT_CORE, &core);
    }
    struct rlimit nofile = {1024, 1024};
    if (getrlimit(RLIMIT_NOFILE, &cur) == 0 && cur.rlim_max < 1024) nofile = cur;
    setrlimit(RLIMIT_NOFILE, &nofile);
    personality(ADDR_NO_RANDOMIZE);
    /*
     * One CPU for the subject and the children it forks: the LRU's per-CPU
     * folio batches (lru_add, lru_deactivate, ...) are then the ones the
     * subject's own calls drain, as on mmlab's single machine; a subject
     * migrating between CPUs would leave pages off the LRU at random, which
     * MADV_PAGEOUT/COLD then skip.
     */
    int cpu = sched_getcpu();
    if (cpu >= 0) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      sched_setaffinity(0, sizeof one, &one);
    }
    char *argv[] = {(char *)self, "subject", NULL};
    char *envp[] = {NULL};
    execve(self, argv, envp);
    _exit(4);
  }
  close(sv[1]);
  nprocs = 1;
  procs[1].hostpid = pid;
  procs[1].fd = sv[0];
  procs[1].parent = 0;
}

/*
 * 0 poll MS: waits up to MS ms for late replies on every live channel and
 * passes on those that came (`!VTID ...` lines), then `.`.
 */
static void op_poll(const char *arg) {
  int ms = (int)hexval(arg);
  /* The router's own memory (the subjects' layout is what is compared). */
  static struct pollfd *pf;
  static int *who;
  if (pf == NULL) {
    pf = calloc(MAXPROCS, sizeof *pf);
    who = calloc(MAXPROCS, sizeof *who);
    if (pf == NULL || who == NULL) _exit(112);
  }
  for (int round = 0; round < 2; round++) {
    int n = 0, ready = 0;
    for (int v = 1; v <= nprocs; v++) {
      if (procs[v].group != 0 || procs[v].fd < 0) continue;
      struct linebuf *b = chanbuf(procs[v].fd);
      if (b->pos < b->len) ready = 1;
      pf[n].fd = procs[v].fd;
      pf[n].events = POLLIN;
      pf[n].revents = 0;
      who[n++] = v;
    }
    /* Bytes already buffered are ready now; else wait (once). */
    int r = poll(pf, (nfds_t)n, ready || round > 0 ? 0 : ms);
    if (r < 0 && !ready) break;
    int got = 0;
    for (int i = 0; i < n; i++) {
      struct linebuf *b = chanbuf(pf[i].fd);
      if (b->pos == b->len && !(pf[i].revents & POLLIN)) continue;
      /* Only late replies come unasked; an EOF is left to the next request. */
      if (pf[i].revents & (POLLHUP | POLLERR) && b->pos == b->len) continue;
      while (chan_line(pf[i].fd, reply, MAXLINE) >= 0) {
        if (reply[0] == '@') {
          got = 1;
          if (late_reply(who[i], reply) != 0) break;
        }
        if (b->pos == b->len) break;
      }
    }
    if (got) break;
  }
  end_reply();
}

static void router(const char *self) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  chanbufs = calloc(MAXFD, sizeof *chanbufs);
  if (chanbufs == NULL) _exit(112);
  signal(SIGPIPE, SIG_IGN);
  spawn_subject(self);
  out_fd = 1;
  for (;;) {
    if (read_line(0) < 0) break;
    memcpy(rline, line, strlen(line) + 1);
    tok_next = rline;
    char *v = tok();
    if (v == NULL) {
      end_reply();
      continue;
    }
    int vpid = (int)hexval(v);
    char *rest = tok_next ? tok_next : (char *)"";
    while (*rest == ' ') rest++;
    if (vpid == 0) {
      /* Router ops. */
      if (strncmp(rest, "quit", 4) == 0) break;
      if (strncmp(rest, "poll ", 5) == 0) {
        op_poll(rest + 5);
        continue;
      }
      puts_("bad op\n");
      end_reply();
      continue;
    }
    if (vpid < 1 || vpid > nprocs || procs[vpid].fd < 0) {
      puts_("dead\n");
      end_reply();
      continue;
    }
    if (strcmp(rest, "getpid") == 0) {
      puts_("= ");
      puthex((u64)(procs[vpid].group > 0 ? procs[vpid].group : vpid));
      putc_('\n');
      end_reply();
      continue;
    }
    route(vpid, rest, strcmp(rest, "fork") == 0);
  }
  for (int i = 1; i <= nprocs; i++) {
    if (procs[i].fd >= 0 && procs[i].group == 0) {
      kill((pid_t)procs[i].hostpid, SIGKILL);
      close(procs[i].fd);
    }
  }
  while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
  }
  _exit(0);
}

/*
 * The buffers live in one anonymous mapping made at start-up, not in .bss:
 * the program image then ends where mmlab's program's does, so the kernel
 * puts the subject's start_brk where mmlab's is (build.ts pads .bss to
 * BRK_PAD to make the image end exactly there; lib/proc/exec.ts).
 */
#ifndef BRK_PAD
#define BRK_PAD 1
#endif
__attribute__((used)) static volatile char brk_pad[BRK_PAD];

static void arena_init(void) {
  size_t sizes[] = {IOBUF, MAXLINE, IOBUF, IOBUF, BIGBUF, MAXLINE / 2, BIGBUF, ALTSTACK, IOBUF,
                    LBUF, 6u << 16, NRANGES * sizeof(u64), MAXPROCS * sizeof(struct proc),
                    MAXLINE, MAXLINE, MAXTHREADS * sizeof(struct worker), MAXTHREADS * ALTSTACK,
                    MAXTHREADS * IOBUF, MAXTHREADS * WLINE, MAXTHREADS * WSCRATCH_ALL};
  size_t total = 0;
  for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) total += (sizes[i] + 4095) & ~4095ul;
  char *a = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (a == MAP_FAILED) _exit(111);
  void *ptrs[sizeof sizes / sizeof sizes[0]];
  for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    ptrs[i] = a;
    a += (sizes[i] + 4095) & ~4095ul;
  }
  obuf = ptrs[0];
  line = ptrs[1];
  inbuf.buf = ptrs[2];
  big = g_big = ptrs[4];
  wbuf = g_wbuf = ptrs[5];
  rbtmp = g_rbtmp = ptrs[6];
  altstack = ptrs[7];
  mbuf = ptrs[8];
  lbuf = ptrs[9];
  sbuf = g_sbuf = ptrs[10];
  ranges = ptrs[11];
  procs = ptrs[12];
  rline = ptrs[13];
  reply = ptrs[14];
  workers = ptrs[15];
  thr_altstacks = ptrs[16];
  thr_obufs = ptrs[17];
  thr_lines = ptrs[18];
  thr_scratch = ptrs[19];
  brk_pad[0] = 0;
}

/* mmlab's program break after start-up (glibc's first heap): lib/proc/exec.ts. */
#define MMLAB_BRK 0x555555581000ul

int main(int argc, char **argv) {
  arena_init();
  if (argc >= 2 && strcmp(argv[1], "subject") == 0) {
    /* The heap mmlab's program starts with: from start_brk up to MMLAB_BRK. */
    raw6(SYS_brk, MMLAB_BRK, 0, 0, 0, 0, 0);
    subject();
    return 0;
  }
  router("/proc/self/exe");
  return 0;
}
