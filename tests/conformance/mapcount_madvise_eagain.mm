# max_map_count: a flag advice that must split at the limit fails with EAGAIN (ENOMEM from the split)
# follows: linux-mm.md §6.1 rule 8
# map-count: 65530
# requires: max_map_count=65530

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
madvise(a + 4K, 4K, MADV_DONTFORK)
madvise(a + 4K, 4K, MADV_WILLNEED)
madvise(a, 4K, MADV_RANDOM)
maps
