# mlock: locks and populates the pages (lo, Locked, resident); munlock clears lo
# follows: LTP mlock01, munlock01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a, 16K)
mincore(a, 16K)
smaps
munlock(a, 16K)
smaps
