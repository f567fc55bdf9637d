# mmap: a length whose page alignment wraps to 0 is ENOMEM (not EINVAL)
# follows: linux-mm.md §2.1 row 7 (M7b)

mmap(NULL, -1, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mmap(NULL, 0xfffffffffffff001, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mmap(NULL, 0xfffffffffffff000, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mmap(0x7f0000000003, -1, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
