# fault: a first write reuses the neighbour's anon_vma when only the protections differ, so a later mprotect merges the two
# follows: mm/vma.c find_mergeable_anon_vma(), reusable_anon_vma(), anon_vma_compatible(); found by repl/host/fuzz.ts (seed 1 case 11)

n1 = mmap(0x7f000000d000, 20K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mprotect(0x7f000000d000, 4K, PROT_READ|PROT_WRITE|PROT_EXEC)
poke(n1, "data!")
poke(0x7f0000010000, "ab", "xyz")
mprotect(0x7f000000e000, 12K, PROT_READ|PROT_WRITE|PROT_EXEC)
maps
