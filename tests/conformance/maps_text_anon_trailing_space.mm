# maps: an anonymous VMA line ends in '0 ' (a trailing space, no name)
# follows: linux-mm.md §10.1

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
maps
maps a + 4K 1
maps a + 16K
