# mmap: an anonymous NULL-hint mapping whose length is a multiple of 2 MiB is 2 MiB aligned
# follows: linux-mm.md §2.4 rule 3, §0.1 PMD_SIZE

a = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
b = mmap(NULL, 2M, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
b & 0x1fffff
c = mmap(NULL, 4M, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
c & 0x1fffff
d = mmap(NULL, 2M + 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
maps
