# mmap: root (CAP_SYS_RAWIO) may map below mmap_min_addr, even page 0
# follows: linux-mm.md §2.1 row 14, §11.15 (M8a)
# requires: root=y

z = mmap(0, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(z + 16, 7)
peek(16)
munmap(0, 4K)
peek(16)
