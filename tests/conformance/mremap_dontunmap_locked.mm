# mremap: MREMAP_DONTUNMAP of an mlocked mapping: the source loses lo
# follows: linux-mm.md §5.2 (the code clears VM_LOCKED* on the source)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
memset(a, 1, 16K)
mlock(a, 16K)
n = mremap(a, 16K, 16K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP|MREMAP_FIXED, 0x7f0000100000)
smaps
