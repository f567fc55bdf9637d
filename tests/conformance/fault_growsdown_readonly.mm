# fault: a read below a read-only growsdown VMA expands it; a write there is then SEGV_ACCERR
# follows: linux-mm.md §7.1, §7.2

g = mmap(0x7f0000100000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
peek(g - 8K)
maps
poke(g - 16K, 1)
maps
