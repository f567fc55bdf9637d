# mmap: a length that fits below TASK_SIZE but in no free gap is ENOMEM
# follows: linux-mm.md §2.1 row 11 (M7j)

mmap(NULL, 0x700000000000, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)
mmap(NULL, 0x7ff000000000, PROT_READ, MAP_SHARED|MAP_ANONYMOUS, -1, 0)
