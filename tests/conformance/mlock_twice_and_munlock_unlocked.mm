# mlock: locking twice and unlocking memory that was never locked both succeed
# follows: LTP mlock01, munlock01

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlock(a, 16K)
mlock(a, 16K)
munlock(a, 16K)
munlock(a, 16K)
maps
