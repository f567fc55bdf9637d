# mmap: MAP_POPULATE of read-only anonymous memory maps the zero page (resident, Rss 0)
# follows: linux-mm.md §2.3, §7.3 (F7)

a = mmap(0x7f0000000000, 16K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE|MAP_FIXED, -1, 0)
mincore(a, 16K)
smaps
