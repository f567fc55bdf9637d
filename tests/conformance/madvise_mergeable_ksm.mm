# madvise: MADV_MERGEABLE sets mg where KSM is compiled in; MADV_UNMERGEABLE clears it
# follows: linux-mm.md §6.2; LTP madvise01
# requires: ksm=y

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 16K, MADV_MERGEABLE)
smaps
madvise(a, 16K, MADV_UNMERGEABLE)
smaps
