# mmap: MAP_POPULATE of private writable anonymous memory write-faults every page
# follows: linux-mm.md §2.3 (M9a); LTP mmap12

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE|MAP_FIXED, -1, 0)
mincore(a, 16K)
smaps
