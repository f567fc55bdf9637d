# mlock2: MLOCK_ONFAULT sets lo lf and populates nothing; a write then counts as locked
# follows: LTP mlock201, mlock203

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock2(a, 16K, MLOCK_ONFAULT)
mincore(a, 16K)
poke(a + 4K, 1)
smaps
