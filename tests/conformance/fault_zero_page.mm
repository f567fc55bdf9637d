# fault: reading untouched anonymous memory maps the zero page (Rss 0); writing allocates
# follows: linux-mm.md §7.3 (F7, F7b, F7c)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
peek(a)
peek(a + 4K)
smaps
mincore(a, 16K)
poke(a + 4K, 1)
smaps
