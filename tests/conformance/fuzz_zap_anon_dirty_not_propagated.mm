# a child's exit does not make a shared anonymous page dirty: the parent's MADV_FREE'd (clean) PTE stays Private_Clean
# follows: mm/memory.c zap_present_folio_ptes() (only file folios take the PTE dirty bit); found by repl/host/fuzz.ts (seed 27 case 10)
# requires: swap=n

mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(0x7f0000002000, "ab")
c5 = fork()
madvise(0x7f0000001000, 28K, MADV_FREE)
@c5 exit(0)
madvise(0x7f0000007000, 4K, MADV_COLD)
smaps
