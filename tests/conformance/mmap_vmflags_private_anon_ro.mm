# smaps VmFlags: read-only private anonymous memory has no VM_ACCOUNT
# follows: linux-mm.md §2.2 (M9c)

a = mmap(0x7f0000000000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
smaps
