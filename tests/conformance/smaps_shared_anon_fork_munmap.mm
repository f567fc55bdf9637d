# smaps: shared anonymous pages written by parent and child, then half unmapped in the parent
# follows: linux-mm.md §10.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a, 1)
c = fork()
@c poke(a + 4K, 1)
@c peek(a)
smaps
munmap(a + 8K, 8K)
smaps
@c smaps
