# fault: an access straddling into an unmapped page faults at that page's first byte, after the bytes before it
# follows: linux-mm.md §7.1 (F5)

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(a + 0xffc, "abcd")
peek(a + 0xffc, 8)
poke(a + 0xffe, "wxyz")
memset(a + 0xff0, 0x20, 32)
peek(a + 0xff0, 16)
