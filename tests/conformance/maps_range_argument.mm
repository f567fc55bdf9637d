# maps: with ADDR [LEN] only the VMAs meeting the range print
# follows: mmlab maps view; linux-mm.md §10.1

a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000004000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps a 4K
maps a + 8K 8K
maps a + 8K 4K
smaps b + 4K
