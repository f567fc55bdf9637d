# madvise: MADV_HWPOISON and MADV_SOFT_OFFLINE are EINVAL without CONFIG_MEMORY_FAILURE
# follows: linux-mm.md §6.1 rule 1 (A1h); LTP madvise07, madvise11
# requires: memory_failure=n

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a, 4K, MADV_HWPOISON)
madvise(a, 4K, MADV_SOFT_OFFLINE)
madvise(a + 1, 4K, MADV_HWPOISON)
