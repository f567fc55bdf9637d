# MADV_FREE over several VMAs: each VMA's walk drains first, so the pages of every VMA but the last (here empty) lose Referenced
# follows: mm/madvise.c madvise_free_single_vma() (lru_add_drain()); found by repl/host/fuzz.ts (seed 21 case 43)
# requires: swap=n

n3 = mmap(0x7f0000008000, 12K, PROT_READ|PROT_WRITE|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE, -1, 0)
mprotect(n3 + 1*4K, 4K, PROT_WRITE)
mmap(0x7f000000b000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(0x7f0000007000, 60K, MADV_FREE)
smaps
