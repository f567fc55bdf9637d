# munlock: unlocking part of a locked VMA splits it; Locked follows
# follows: LTP munlock01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a, 16K)
munlock(a + 8K, 4K)
maps
smaps a + 8K
