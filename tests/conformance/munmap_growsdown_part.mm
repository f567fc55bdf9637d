# munmap: unmapping the bottom of a growsdown VMA; a later fault below grows it again
# follows: linux-mm.md §2.5, §3

g = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
munmap(g, 8K)
maps
poke(g, 1)
maps
