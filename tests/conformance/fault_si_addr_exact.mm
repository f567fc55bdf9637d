# fault: si_addr is the exact faulting byte, not the page start
# follows: linux-mm.md §7.1 (F1, F2)

a = mmap(0x7f0000000000, 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
peek(a + 0x123)
poke(a + 0xfff, 1)
peek(0x7f0000010abc)
