# fault: the unusable top page 0x7ffffffff000 and NULL give SEGV_MAPERR
# follows: linux-mm.md §7.1 (F6e, F6f)

peek(0x7ffffffff000)
peek(0x7fffffffffff)
peek(0)
poke(8, 1)
