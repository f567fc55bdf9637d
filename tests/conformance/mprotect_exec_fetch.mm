# mprotect: an instruction fetch from non-executable memory is SEGV_ACCERR at the fetch address
# follows: LTP mprotect04; linux-mm.md §7.1 (F4)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
exec(a + 0x10)
mprotect(a, 16K, PROT_READ|PROT_EXEC)
exec(a + 0x10)
mprotect(a, 16K, PROT_NONE)
exec(a + 0x20)
