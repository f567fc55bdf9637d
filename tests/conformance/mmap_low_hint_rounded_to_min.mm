# mmap: a non-fixed hint below the kernel's mmap_min_addr (the larger of the sysctl and CONFIG_LSM_MMAP_MIN_ADDR = 64K) is raised to it; MAP_FIXED below it works for root
# follows: linux-mm.md §2.4 rule 2 (round_hint_to_min), §2.1 row 14 (M8a)
# requires: mmap_min_addr=4096
# requires: root=y

a = mmap(0x800, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
b = mmap(0x1000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
c = mmap(0x8000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
d = mmap(0xf000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
e = mmap(0x20000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
f = mmap(0x1000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
g = mmap(0x2000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
munmap(0, 0x30000)
