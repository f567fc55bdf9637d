# mmap: a large NORESERVE mapping costs nothing until touched; touched pages show in Rss
# follows: linux-mm.md §2.2, §2.3
# requires: thp=madvise

a = mmap(NULL, 1G, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)
poke(a + 512M, 1)
poke(a + 1G - 1, 1)
smaps
