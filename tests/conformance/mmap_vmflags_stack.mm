# smaps: MAP_STACK sets VM_NOHUGEPAGE (nh) since 6.8
# follows: linux-mm.md §2.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK|MAP_FIXED, -1, 0)
smaps
