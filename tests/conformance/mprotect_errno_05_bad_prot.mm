# mprotect: prot bits other than R/W/X/SEM are EINVAL, before the range is looked up
# follows: linux-mm.md §4 row 5 (P3a, P3b)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mprotect(0x7f0000100000, 4K, 0x10)
mprotect(a, 4K, PROT_READ|0x80)
mprotect(a, 4K, PROT_READ|PROT_SEM)
maps
