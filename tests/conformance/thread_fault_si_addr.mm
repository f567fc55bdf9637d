# fault in a thread: the thread that touched the address gets the signal (si_addr, si_code), and the process goes on
# follows: linux-mm.md §7.1; force_sig_fault() to current (the faulting thread)

t = pthread_create()
@t peek(0x10)
@t poke(0x7fefff7ff000, 1)
@t peek(0x7fefff800000, 4)
@t poke(0x7fefff800000, 7)
peek(0x7fefff800000)
a = mmap(0x7f0000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
@t poke(a, 1)
@t gettid()
