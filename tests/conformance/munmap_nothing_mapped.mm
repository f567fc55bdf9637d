# munmap: a range with nothing mapped succeeds (0)
# follows: linux-mm.md §3 row 4 (U3, U6d)

munmap(0x7f0000000000, 64K)
munmap(0x1000, 4K)
munmap(0x7ffffffe0000, 4K)
