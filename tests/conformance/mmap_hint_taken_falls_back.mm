# mmap: a hint that is occupied silently falls back to the top-down search
# follows: linux-mm.md §2.4 (M5b)

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
b = mmap(0x7f0000002000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
c = mmap(0x7f0000003000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
d = mmap(0x7f0000004000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
maps
