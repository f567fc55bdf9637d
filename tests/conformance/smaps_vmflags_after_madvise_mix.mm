# smaps: VmFlags after a mix of advices on one VMA (bit order)
# follows: linux-mm.md §10.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 16K, MADV_DONTFORK)
madvise(a, 16K, MADV_DONTDUMP)
madvise(a, 16K, MADV_SEQUENTIAL)
madvise(a, 16K, MADV_WIPEONFORK)
mlock2(a, 16K, MLOCK_ONFAULT)
smaps
