# mmap: a hint whose range would pass TASK_SIZE is ignored (top-down placement instead)
# follows: linux-mm.md §2.4 rule 2

a = mmap(0x7fffffffe000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
b = mmap(0x7ffffffef000, 64K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
maps
