# maps/smaps: PROT_EXEC shows x and ex; PROT_READ|PROT_EXEC private anon has no ac
# follows: linux-mm.md §2.2, §10.2; LTP mmap03

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000010000, 4K, PROT_READ|PROT_WRITE|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
smaps
