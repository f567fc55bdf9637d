# fault: writing a page that maps the zero page replaces it with a fresh zeroed page
# follows: linux-mm.md §7.3

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
peek(a, 16)
poke(a + 8, 0xff)
peek(a, 16)
smaps
