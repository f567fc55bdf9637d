# smaps: Rss, Pss, Private_Dirty and Anonymous of partly written private memory
# follows: linux-mm.md §10.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
poke(a, 1)
poke(a + 8K, 1)
smaps
