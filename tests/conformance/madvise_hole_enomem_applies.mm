# madvise: holes give ENOMEM but the advice is applied to every mapped part
# follows: linux-mm.md §6.1 rule 6, §11.9 (A3, A3b, A1f); LTP madvise02

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000003000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
madvise(a, 20K, MADV_DONTFORK)
smaps
