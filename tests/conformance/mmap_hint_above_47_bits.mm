# mmap: a hint above the 47-bit window is ignored (top-down placement instead)
# follows: linux-mm.md §2.4 (M7f)

a = mmap(0x800000000000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
b = mmap(0xfffffffffffff000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
c = mmap(0x7ffffffff000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
maps
