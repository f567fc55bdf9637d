# mremap: MREMAP_DONTUNMAP moves the pages and leaves the old VMA empty (reads zero, keeps ac)
# follows: linux-mm.md §5.2, §11.12 (R18, R18b)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 0x64, 16K)
n = mremap(a, 16K, 16K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP)
peek(n)
peek(a)
smaps
