# smaps: Locked counts the mlocked resident pages
# follows: linux-mm.md §10.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
mlock(a, 8K)
smaps
