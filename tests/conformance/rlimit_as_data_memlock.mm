# RLIMIT_DATA and RLIMIT_AS bound mmap and mremap growth (may_expand_vm: ENOMEM); a data limit spares
# read-only and shared mappings, and a soft limit of 0 lets data grow to the hard one (the
# "Valgrind workaround"); at the AS limit even MAP_FIXED over a mapping of the same size fails;
# RLIMIT_MEMLOCK does not bind root (CAP_IPC_LOCK); mprotect making private memory writable is
# data growth too (a page written and made read-only again cannot come back)
# follows: mm/mmap.c may_expand_vm(), mm/mlock.c mlock_future_ok(); LTP setrlimit, mmap
# requires: root=y

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
setrlimit(RLIMIT_DATA, {rlim_cur=0, rlim_max=RLIM64_INFINITY})
b = mmap(0x7f0000010000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
setrlimit(RLIMIT_DATA, {rlim_cur=4K, rlim_max=RLIM64_INFINITY})
mmap(0x7f0000018000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = mmap(0x7f0000020000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
d = mmap(0x7f0000030000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(a, 4K, 8K, MREMAP_MAYMOVE)
mremap(d, 4K, 8K, MREMAP_MAYMOVE)
setrlimit(RLIMIT_DATA, {rlim_cur=RLIM64_INFINITY, rlim_max=RLIM64_INFINITY})
setrlimit(RLIMIT_AS, {rlim_cur=4K, rlim_max=RLIM64_INFINITY})
mmap(NULL, 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mmap(0x7f0000020000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
munmap(c, 4K)
setrlimit(RLIMIT_AS, {rlim_cur=RLIM64_INFINITY, rlim_max=RLIM64_INFINITY})
setrlimit(RLIMIT_MEMLOCK, {rlim_cur=0, rlim_max=0})
mlock(a, 4K)
f = mmap(0x7f0000050000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_LOCKED, -1, 0)
maps 0x7f0000000000 1M
setrlimit(RLIMIT_DATA, {rlim_cur=4K, rlim_max=RLIM64_INFINITY})
mprotect(c, 4K, PROT_READ|PROT_WRITE)
mprotect(d, 4K, PROT_READ)
mprotect(d, 4K, PROT_READ|PROT_WRITE)
mprotect(a, 4K, PROT_READ)
mprotect(a, 4K, PROT_READ|PROT_WRITE)
