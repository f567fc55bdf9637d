# mmap: a MAP_GROWSDOWN mapping used as a stack grows page by page from its top
# follows: LTP mmap18

g = mmap(0x7f0000800000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
memset(g - 12K, 0x73, 16K)
maps
peek(g - 12K)
b = mmap(0x7f0000600000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(0x7f0000700000, 1)
poke(0x7f0000700000 + 4K, 1)
maps
