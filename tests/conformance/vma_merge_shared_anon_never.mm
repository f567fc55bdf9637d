# vma: two adjacent MAP_SHARED|MAP_ANONYMOUS mappings never merge (each has its own shmem file)
# follows: linux-mm.md §0.3 rule 2 (M10)

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000001000, 4K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
