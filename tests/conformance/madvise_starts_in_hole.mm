# madvise: a range starting in a hole (or with no VMA at all) is ENOMEM; later VMAs still get the advice
# follows: linux-mm.md §6.1 rule 6 (A1f, A3b)

a = mmap(0x7f0000001000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(0x7f0000000000, 12K, MADV_RANDOM)
madvise(0x7f0000100000, 4K, MADV_RANDOM)
madvise(0x7f0000100000, 4K, MADV_WILLNEED)
smaps
