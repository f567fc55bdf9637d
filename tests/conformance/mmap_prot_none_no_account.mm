# smaps: a PROT_NONE private mapping has no ac and no pages; reads and writes fault
# follows: linux-mm.md §2.2, §7.1 (F3); LTP mmap05

a = mmap(0x7f0000000000, 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
peek(a)
poke(a, 1)
smaps
