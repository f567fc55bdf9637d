# fault: stack expansion beyond RLIMIT_STACK (8 MiB) fails with SEGV_MAPERR
# follows: linux-mm.md §7.2 (F12b)

g = mmap(0x7f0010000000, 1M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
poke(g - 7M, 1)
maps
poke(g - 7M - 4K, 1)
maps
