# fault: with SIG_DFL a SIGSEGV kills the process (core dumped)
# follows: linux-mm.md §7.1; strace's +++ killed by +++

signal(SIGSEGV, SIG_DFL)
a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
peek(a)
poke(a, 1)
peek(a)
