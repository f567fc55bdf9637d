# madvise: MADV_FREE on private anonymous memory succeeds; without pressure the data is still there
# follows: linux-mm.md §6.2 (A7c); LTP madvise09

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x43, 16K)
madvise(a, 16K, MADV_FREE)
peek(a)
poke(a, 1)
peek(a)
