# smaps VmFlags: MAP_NORESERVE gives nr and no ac
# follows: linux-mm.md §2.2 (M9b)

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE|MAP_FIXED, -1, 0)
smaps
