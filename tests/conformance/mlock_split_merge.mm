# mlock: locking a middle page splits the VMA; unlocking merges it back
# follows: linux-mm.md §0.3

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a + 4K, 4K)
maps
munlock(a + 4K, 4K)
maps
