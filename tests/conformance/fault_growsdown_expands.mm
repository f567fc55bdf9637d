# fault: an access below a MAP_GROWSDOWN VMA (anywhere in the gap) extends it down
# follows: linux-mm.md §2.5, §7.2 (F11, F12); LTP mmap18

g = mmap(0x7f0000100000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
poke(g - 1, 1)
maps
poke(g - 64K, 2)
maps
peek(g - 64K)
