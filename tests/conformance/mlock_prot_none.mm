# mlock: PROT_NONE memory can be locked, but it is not populated
# follows: LTP mlock01

a = mmap(0x7f0000000000, 8K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mlock(a, 8K)
mincore(a, 8K)
smaps
