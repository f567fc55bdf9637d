# mmap: MAP_ANONYMOUS ignores fd and offset (but not an unaligned offset)
# follows: linux-mm.md §2.1 (M2l, T2)

a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, 12345, 8K)
b = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, 0, 0x7ffff000)
mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, 12345, 8K + 1)
maps
