# smaps: MAP_LOCKED gives lo and populates the pages (Rss, Locked)
# follows: linux-mm.md §2.2, §2.3 (M9h); LTP mmap14

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_LOCKED|MAP_FIXED, -1, 0)
smaps
mincore(a, 16K)
