# mmap: unknown prot bits and unknown MAP_PRIVATE flags are ignored
# follows: linux-mm.md §2.1 (M2i, M2k), §11.8

a = mmap(NULL, 4K, 0x80|PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
b = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|0x40000000, -1, 0)
c = mmap(NULL, 4K, PROT_READ|0x10, MAP_PRIVATE|MAP_ANONYMOUS|MAP_DENYWRITE|MAP_EXECUTABLE, -1, 0)
maps
