# pagemap: present, file (file pages and shared anonymous memory), exclusive (mapped once: lost
# at fork, back after the COW), the zero page without flags, a guard marker as a swap entry of
# type SWP_PTE_MARKER; PFNs are compared as labels (which pages share a frame)
# follows: fs/proc/task_mmu.c pte_to_pagemap_entry(); selftests/mm pagemap_ioctl, guard-regions

a = mmap(0x7f0000000000, 64K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
pagemap a 64K
poke(a, 1)
peek(a + 8K)
pagemap a 64K
fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
pwrite(fd, "x", 1, 0)
b = mmap(0x7f0000100000, 8K, PROT_READ, MAP_SHARED, fd, 0)
peek(b)
s = mmap(0x7f0000200000, 8K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(s, 2)
c = fork()
pagemap a 16K
@c pagemap a 16K
@c poke(a, 3)
pagemap a 4K
@c pagemap a 4K
madvise(a + 16K, 4K, MADV_GUARD_INSTALL)
pagemap a 64K
pagemap b 8K
pagemap s 8K
@c pagemap s 8K
