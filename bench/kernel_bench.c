/*
 * kernel_bench.c: the host kernel's side of `deno task bench`.
 *
 * The same operations as bench/mmlab_bench.ts, with real syscalls. The Deno
 * script compiles this with `gcc -O2` into a temporary directory and runs it
 * with the sizes it used for mmlab, as key=value arguments:
 *
 *   kernel_bench ops=mmap,fault reps=5 warmup=1 mmap_pairs=200000 ...
 *
 * Output, one line per op (tab separated, machine readable):
 *
 *   result <op> <median> <unit> <sample1,sample2,...>
 *
 * and on failure `error <op> <message>` (the program then exits 1).
 * Ops: mmap fault mprotect-split mprotect-rand-1k mprotect-rand-60k fork maps uffd.
 * An op the host cannot run prints `skip <op> <reason>` and the others go on.
 * Build with -pthread (the uffd op runs a second thread).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MAX_REPS 64

/* Sizes; the defaults are overridden by the command line. */
static long reps = 5, warmup = 1;
static long mmap_pairs = 100000;
static long fault_bytes = 256L << 20;
static long split_pairs = 100000;
static long rand_small_vmas = 1000, rand_large_vmas = 60000, rand_pairs = 20000;
static long fork_bytes = 1L << 30, fork_reps = 5;
static long maps_vmas = 10000, maps_reads = 20;
static long uffd_pages = 20000;
static const char *ops =
    "mmap,fault,mprotect-split,mprotect-rand-1k,mprotect-rand-60k,fork,maps,uffd";

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *op, const char *what) {
  printf("error\t%s\t%s: %s\n", op, what, strerror(errno));
  fflush(stdout);
  exit(1);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Prints the median of the samples (kept in run order in the list). */
static void report(const char *op, const char *unit, const double *samples, long n) {
  double sorted[MAX_REPS];
  memcpy(sorted, samples, (size_t)n * sizeof(double));
  qsort(sorted, (size_t)n, sizeof(double), cmp_double);
  double med = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  printf("result\t%s\t%.6g\t%s\t", op, med, unit);
  for (long i = 0; i < n; i++) printf("%s%.6g", i ? "," : "", samples[i]);
  printf("\n");
  fflush(stdout);
}

/* The same xorshift32 sequence as the TypeScript side. */
static unsigned int rng_state;
static unsigned int xorshift32(void) {
  unsigned int x = rng_state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return rng_state = x;
}

static char *map_anon(const char *op, size_t len) {
  void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) die(op, "mmap");
  /* Base pages only, as mmlab has no THP (THP is `madvise` here anyway). */
  madvise(p, len, MADV_NOHUGEPAGE);
  return p;
}

/* 1. mmap + munmap of one anonymous private page, NULL hint: pairs/s. */
static void bench_mmap(void) {
  double s[MAX_REPS];
  for (long r = -warmup; r < reps; r++) {
    double t0 = now();
    for (long i = 0; i < mmap_pairs; i++) {
      void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) die("mmap", "mmap");
      if (munmap(p, PAGE)) die("mmap", "munmap");
    }
    double dt = now() - t0;
    if (r >= 0) s[r] = (double)mmap_pairs / dt;
  }
  report("mmap", "ops/s", s, reps);
}

/* 2. First-touch write faults, one byte per page of a fresh region: faults/s. */
static void bench_fault(void) {
  double s[MAX_REPS];
  size_t pages = (size_t)fault_bytes / PAGE;
  for (long r = -warmup; r < reps; r++) {
    volatile char *p = map_anon("fault", (size_t)fault_bytes);
    double t0 = now();
    for (size_t i = 0; i < pages; i++) p[i * PAGE] = 1;
    double dt = now() - t0;
    if (munmap((void *)p, (size_t)fault_bytes)) die("fault", "munmap");
    if (r >= 0) s[r] = (double)pages / dt;
  }
  report("fault", "ops/s", s, reps);
}

/* 3. mprotect split + merge of the middle page of a touched 3-page RW mapping: pairs/s. */
static void bench_split(void) {
  double s[MAX_REPS];
  char *p = map_anon("mprotect-split", 3 * PAGE);
  for (int i = 0; i < 3; i++) p[i * PAGE] = 1;
  for (long r = -warmup; r < reps; r++) {
    double t0 = now();
    for (long i = 0; i < split_pairs; i++) {
      if (mprotect(p + PAGE, PAGE, PROT_READ)) die("mprotect-split", "mprotect R");
      if (mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE)) die("mprotect-split", "mprotect RW");
    }
    double dt = now() - t0;
    if (r >= 0) s[r] = (double)split_pairs / dt;
  }
  munmap(p, 3 * PAGE);
  report("mprotect-split", "ops/s", s, reps);
}

/*
 * 4. Random mprotect among n VMAs: n pages, odd pages PROT_READ, so n VMAs.
 * A call flips a random interior page to the other protection (merging it
 * with both neighbours) and the next flips it back (splitting again), so
 * the VMA count stays at n between pairs: µs per call.
 */
static void bench_rand(const char *op, long n) {
  double s[MAX_REPS];
  char *p = map_anon(op, (size_t)n * PAGE);
  for (long i = 1; i < n; i += 2) {
    if (mprotect(p + i * PAGE, PAGE, PROT_READ)) die(op, "mprotect setup");
  }
  rng_state = 0x9e3779b9u;
  for (long r = -warmup; r < reps; r++) {
    double t0 = now();
    for (long k = 0; k < rand_pairs; k++) {
      long i = 1 + (long)(xorshift32() % (unsigned int)(n - 2));
      int flip = (i & 1) ? PROT_READ | PROT_WRITE : PROT_READ;
      int back = (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE;
      if (mprotect(p + i * PAGE, PAGE, flip)) die(op, "mprotect flip");
      if (mprotect(p + i * PAGE, PAGE, back)) die(op, "mprotect back");
    }
    double dt = now() - t0;
    if (r >= 0) s[r] = dt * 1e6 / (double)(2 * rand_pairs);
  }
  munmap(p, (size_t)n * PAGE);
  report(op, "us/op", s, reps);
}

/* 5. fork of a process with fork_bytes touched; the child exits: ms per fork() call. */
static void bench_fork(void) {
  double s[MAX_REPS];
  size_t pages = (size_t)fork_bytes / PAGE;
  char *p = map_anon("fork", (size_t)fork_bytes);
  for (size_t i = 0; i < pages; i++) p[i * PAGE] = 1;
  for (long r = -warmup; r < fork_reps; r++) {
    double t0 = now();
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    double dt = now() - t0;
    if (pid < 0) die("fork", "fork");
    int st;
    if (waitpid(pid, &st, 0) != pid) die("fork", "waitpid");
    if (r >= 0) s[r] = dt * 1e3;
  }
  munmap(p, (size_t)fork_bytes);
  report("fork", "ms/op", s, fork_reps);
}

/* 6. Reading /proc/self/maps with maps_vmas VMAs (plus the program's own): ms per read. */
static void bench_maps(void) {
  double s[MAX_REPS];
  static char buf[1 << 16];
  char *p = map_anon("maps", (size_t)maps_vmas * PAGE);
  for (long i = 1; i < maps_vmas; i += 2) {
    if (mprotect(p + i * PAGE, PAGE, PROT_READ)) die("maps", "mprotect setup");
  }
  long bytes = 0;
  for (long r = -warmup; r < reps; r++) {
    double t0 = now();
    for (long k = 0; k < maps_reads; k++) {
      int fd = open("/proc/self/maps", O_RDONLY);
      if (fd < 0) die("maps", "open");
      long total = 0;
      ssize_t got;
      while ((got = read(fd, buf, sizeof buf)) > 0) total += got;
      if (got < 0) die("maps", "read");
      close(fd);
      bytes = total;
    }
    double dt = now() - t0;
    if (r >= 0) s[r] = dt * 1e3 / (double)maps_reads;
  }
  if (bytes < maps_vmas * 40) {
    errno = 0;
    die("maps", "short read");
  }
  munmap(p, (size_t)maps_vmas * PAGE);
  report("maps", "ms/op", s, reps);
}

/*
 * 7. userfaultfd round trip, MISSING mode: a thread stores one byte into each
 * page of a registered region in turn; each store faults and the thread waits
 * in handle_userfault; the main thread polls the uffd, reads the uffd_msg and
 * resolves the page with UFFDIO_COPY, which wakes the thread. Round trips/s.
 * Without userfaultfd (ENOSYS, or EPERM under vm.unprivileged_userfaultfd=0
 * without CAP_SYS_PTRACE) the op prints `skip` with the reason.
 */
struct toucher {
  volatile char *base;
  long pages;
};

static void *touch_pages(void *arg) {
  struct toucher *t = arg;
  for (long i = 0; i < t->pages; i++) t->base[i * PAGE] = 1;
  return NULL;
}

static void bench_uffd(void) {
  double s[MAX_REPS];
  int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    printf("skip\tuffd\tuserfaultfd(O_CLOEXEC|O_NONBLOCK): %s%s\n", strerror(errno),
           errno == EPERM ? " (vm.unprivileged_userfaultfd=0 and no CAP_SYS_PTRACE)" : "");
    fflush(stdout);
    return;
  }
  struct uffdio_api api = {.api = UFFD_API, .features = 0};
  if (ioctl(fd, UFFDIO_API, &api)) die("uffd", "UFFDIO_API");
  char *src = map_anon("uffd", PAGE);
  memset(src, 0x5a, PAGE);
  size_t len = (size_t)uffd_pages * PAGE;
  for (long r = -warmup; r < reps; r++) {
    char *p = map_anon("uffd", len);
    struct uffdio_register reg = {
        .range = {.start = (unsigned long)p, .len = len},
        .mode = UFFDIO_REGISTER_MODE_MISSING,
    };
    if (ioctl(fd, UFFDIO_REGISTER, &reg)) die("uffd", "UFFDIO_REGISTER");
    struct toucher t = {.base = p, .pages = uffd_pages};
    pthread_t th;
    double t0 = now();
    errno = pthread_create(&th, NULL, touch_pages, &t);
    if (errno) die("uffd", "pthread_create");
    for (long done = 0; done < uffd_pages;) {
      struct pollfd pfd = {.fd = fd, .events = POLLIN};
      if (poll(&pfd, 1, -1) < 0) {
        if (errno == EINTR) continue;
        die("uffd", "poll");
      }
      struct uffd_msg msg;
      ssize_t got = read(fd, &msg, sizeof msg);
      if (got < 0 && errno == EAGAIN) continue;
      if (got != sizeof msg) die("uffd", "read");
      if (msg.event != UFFD_EVENT_PAGEFAULT) {
        errno = 0;
        die("uffd", "unexpected uffd_msg event");
      }
      struct uffdio_copy copy = {
          .dst = msg.arg.pagefault.address & ~(PAGE - 1),
          .src = (unsigned long)src,
          .len = PAGE,
          .mode = 0,
      };
      if (ioctl(fd, UFFDIO_COPY, &copy)) die("uffd", "UFFDIO_COPY");
      done++;
    }
    errno = pthread_join(th, NULL);
    if (errno) die("uffd", "pthread_join");
    double dt = now() - t0;
    if (munmap(p, len)) die("uffd", "munmap");
    if (r >= 0) s[r] = (double)uffd_pages / dt;
  }
  munmap(src, PAGE);
  close(fd);
  report("uffd", "ops/s", s, reps);
}

/* Whether `name` is in the comma-separated list `ops`. */
static int wanted(const char *name) {
  size_t n = strlen(name);
  for (const char *q = ops; *q;) {
    const char *e = strchr(q, ',');
    size_t len = e ? (size_t)(e - q) : strlen(q);
    if (len == n && strncmp(q, name, n) == 0) return 1;
    if (!e) break;
    q = e + 1;
  }
  return 0;
}

static long num(const char *key, const char *v) {
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || x < 0) {
    fprintf(stderr, "kernel_bench: bad value for %s: %s\n", key, v);
    exit(2);
  }
  return x;
}

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    char *eq = strchr(argv[i], '=');
    if (!eq) {
      fprintf(stderr, "kernel_bench: expected key=value, got %s\n", argv[i]);
      return 2;
    }
    *eq = 0;
    const char *k = argv[i], *v = eq + 1;
    if (!strcmp(k, "ops")) ops = v;
    else if (!strcmp(k, "reps")) reps = num(k, v);
    else if (!strcmp(k, "warmup")) warmup = num(k, v);
    else if (!strcmp(k, "mmap_pairs")) mmap_pairs = num(k, v);
    else if (!strcmp(k, "fault_bytes")) fault_bytes = num(k, v);
    else if (!strcmp(k, "split_pairs")) split_pairs = num(k, v);
    else if (!strcmp(k, "rand_small_vmas")) rand_small_vmas = num(k, v);
    else if (!strcmp(k, "rand_large_vmas")) rand_large_vmas = num(k, v);
    else if (!strcmp(k, "rand_pairs")) rand_pairs = num(k, v);
    else if (!strcmp(k, "fork_bytes")) fork_bytes = num(k, v);
    else if (!strcmp(k, "fork_reps")) fork_reps = num(k, v);
    else if (!strcmp(k, "maps_vmas")) maps_vmas = num(k, v);
    else if (!strcmp(k, "maps_reads")) maps_reads = num(k, v);
    else if (!strcmp(k, "uffd_pages")) uffd_pages = num(k, v);
    else {
      fprintf(stderr, "kernel_bench: unknown key %s\n", k);
      return 2;
    }
  }
  if (reps < 1 || reps > MAX_REPS || fork_reps < 1 || fork_reps > MAX_REPS) {
    fprintf(stderr, "kernel_bench: reps must be 1..%d\n", MAX_REPS);
    return 2;
  }
  if (rand_small_vmas < 3 || rand_large_vmas < 3) {
    fprintf(stderr, "kernel_bench: rand_*_vmas must be >= 3\n");
    return 2;
  }
  if (wanted("mmap")) bench_mmap();
  if (wanted("fault")) bench_fault();
  if (wanted("mprotect-split")) bench_split();
  if (wanted("mprotect-rand-1k")) bench_rand("mprotect-rand-1k", rand_small_vmas);
  if (wanted("mprotect-rand-60k")) bench_rand("mprotect-rand-60k", rand_large_vmas);
  if (wanted("fork")) bench_fork();
  if (wanted("maps")) bench_maps();
  if (wanted("uffd")) bench_uffd();
  return 0;
}
