# brk: the break grows and shrinks the heap; it stays at or above start_brk and a page below the next VMA
# follows: mm/mmap.c SYSCALL_DEFINE1(brk) (check_brk_limits, the gap before the next VMA)

b = brk(0)
brk(b + 8K)
poke(b + 4K, 7)
peek(b + 4K)
maps 0x555555560000 0x40000
brk(b + 4K)
peek(b + 4K)
brk(b + 8K)
peek(b + 4K)
mmap(0x555555590000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
brk(0x55555558f000)
brk(0x555555590000)
brk(0x55555558f001)
brk(b - 0x21000)
brk(b - 0x22000)
maps 0x555555560000 0x40000
