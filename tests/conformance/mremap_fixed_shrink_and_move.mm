# mremap: MREMAP_FIXED with a smaller new_len moves the head and unmaps the rest
# follows: linux-mm.md §5.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x63, 16K)
n = mremap(a, 16K, 8K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
maps
peek(n + 4K)
