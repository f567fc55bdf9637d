# munmap: a start or end beyond TASK_SIZE is EINVAL
# follows: linux-mm.md §3 row 2 (U6a, U6b, U6c, U6e); LTP munmap03

munmap(0x7ffffffff000, 4K)
munmap(0x7fffffffe000, 8K + 1)
munmap(0x800000000000, 4K)
munmap(0x7f0000000000, 0x800000000000)
munmap(0xfffffffffffff000, 4K)
munmap(0x7fffffffe000, 8K)
