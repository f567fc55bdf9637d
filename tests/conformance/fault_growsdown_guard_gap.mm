# fault: stack expansion fails (SEGV_MAPERR) when the new start comes within the guard gap of the VMA below
# follows: linux-mm.md §2.5, §7.2 (F11b, F11c, F11d); LTP mmap18

g = mmap(0x7f0000400000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
b = mmap(0x7f0000200000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(g - 1M - 4K, 1)
maps
poke(b + 1M + 4K, 1)
maps
poke(b + 1M, 1)
maps
