# smaps VmFlags: private writable anonymous memory is accounted (ac)
# follows: linux-mm.md §2.2 (M1), §10.2

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
smaps
