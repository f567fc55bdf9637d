# mprotect: PROT_GROWSDOWN|PROT_GROWSUP together is EINVAL before the alignment of start
# follows: linux-mm.md §4 row 1 (P3c)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mprotect(a + 1, 4K, PROT_READ|PROT_GROWSDOWN|PROT_GROWSUP)
mprotect(a, 0, PROT_GROWSDOWN|PROT_GROWSUP)
mprotect(a, 4K, PROT_GROWSUP)
