# madvise: a write after MADV_FREE cancels the free for that page
# follows: linux-mm.md §6.2 (A7c); LTP madvise09

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x61, 16K)
madvise(a, 16K, MADV_FREE)
poke(a + 4K, 0x62)
peek(a + 4K)
peek(a)
mincore(a, 16K)
