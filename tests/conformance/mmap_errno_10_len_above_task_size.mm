# mmap: a length above TASK_SIZE is ENOMEM, with or without a hint or MAP_FIXED
# follows: linux-mm.md §2.1 row 10 (M7a); LTP mmap15

mmap(NULL, 0x800000000000, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mmap(0x7f0000000000, 0x7ffffffff001, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mmap(0x1000, 0x7ffffffff001, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
