# mmap: a NULL-hint mapping as large as TASK_SIZE is ENOMEM
# follows: linux-mm.md §2.1 rows 10-11

mmap(NULL, 0x7ffffffff000, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)
mmap(NULL, 0x7ffffffff000 - 4K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)
