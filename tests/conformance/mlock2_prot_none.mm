# mlock2: MLOCK_ONFAULT on PROT_NONE memory sets lo lf and populates nothing
# follows: LTP mlock201

a = mmap(0x7f0000000000, 8K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mlock2(a, 8K, MLOCK_ONFAULT)
mincore(a, 8K)
smaps
