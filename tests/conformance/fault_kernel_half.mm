# fault: canonical kernel-half addresses and the vsyscall page give SEGV_MAPERR with the exact address
# follows: linux-mm.md §7.1 (F6b, F6c, F6d, F10c)

peek(0xffff800000000000)
peek(0xffffffffff600000)
poke(0xffffffffff600010, 1)
peek(0xfffffffffffffff0)
exec(0xffff888000001000)
