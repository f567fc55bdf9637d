# madvise: len 0 returns 0 once the advice and alignment are valid, even unmapped
# follows: linux-mm.md §6.1 rule 4 (A1d)

madvise(0x7f0000000000, 0, MADV_DONTNEED)
madvise(0x7f0000000000, 0, MADV_WIPEONFORK)
madvise(0, 0, MADV_NORMAL)
