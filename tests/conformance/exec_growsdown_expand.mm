# exec: an instruction fetch below an executable growsdown VMA expands it; far below (past the rlimit) it is SEGV_MAPERR
# follows: linux-mm.md §7.1, §7.2

g = mmap(0x7f0000500000, 4K, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_GROWSDOWN|MAP_FIXED, -1, 0)
exec(g - 4K)
maps
exec(g - 9M)
maps
