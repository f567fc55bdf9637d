# mremap: a MADV_WIPEONFORK mapping keeps wf when moved and grown; a child then reads zero
# follows: linux-mm.md §6.2 (A8b), §5.2, §8.1 (K3)

e = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000204000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(e, 16K, MADV_WIPEONFORK)
memset(e, 3, 16K)
n = mremap(e, 16K, 32K, MREMAP_MAYMOVE)
smaps n
f = fork()
@f peek(n)
peek(n)
