# mprotect: PROT_GROWSDOWN on a range in the middle of a growsdown VMA applies from its start
# follows: linux-mm.md §4 row 9 (P9b)

g = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
mprotect(g + 12K, 4K, PROT_READ|PROT_GROWSDOWN)
maps
poke(g, 1)
