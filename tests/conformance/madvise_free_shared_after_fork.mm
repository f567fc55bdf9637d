# madvise: MADV_FREE in a parent whose pages are shared with a child clears its PTEs' bits; data stays for both
# follows: mm/madvise.c madvise_free_pte_range(); LTP madvise09

g = mmap(0x7f0000300000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(g, 5, 8K)
h = fork()
madvise(g, 8K, MADV_FREE)
@h peek(g)
peek(g)
smaps
