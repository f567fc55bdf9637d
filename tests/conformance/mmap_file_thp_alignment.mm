# mmap: ext4's get_unmapped_area is thp_get_unmapped_area(), so a NULL-hint file mapping covering a
# whole 2 MiB of the file lands PMD-aligned to its offset (shared or private, mremap MAYMOVE too,
# offsets near LLONG_MAX too); a hint is kept only if len + 2M fits there; shmem (memfd, shared
# anonymous) is not aligned
# follows: mm/huge_memory.c __thp_get_unmapped_area(), mm/shmem.c shmem_get_unmapped_area()

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(fd, 8M)
a = mmap(NULL, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
i = mmap(NULL, 2M, PROT_READ, MAP_SHARED, fd, 0x7fffffffffc00000)
i & 0x1fffff
b = mmap(NULL, 2M, PROT_READ, MAP_SHARED, fd, 0)
b & 0x1fffff
c = mmap(NULL, 4K, PROT_READ, MAP_SHARED, fd, 0)
d = mmap(NULL, 2M, PROT_READ, MAP_PRIVATE, fd, 4K)
d & 0x1fffff
e = mmap(NULL, 2M + 4K, PROT_READ, MAP_PRIVATE, fd, 4K)
e & 0x1fffff
f = mremap(c, 4K, 4M, MREMAP_MAYMOVE)
g = mmap(NULL, 2M, PROT_READ, MAP_SHARED, fd, 0x7ffffffffc000000)
h = mmap(NULL, 12K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
m = memfd_create("x", 0)
ftruncate(m, 4M)
j = mmap(NULL, 2M, PROT_READ, MAP_SHARED, m, 0)
j & 0x1fffff
k = mmap(NULL, 2M, PROT_READ, MAP_SHARED|MAP_ANONYMOUS, -1, 0)
k & 0x1fffff
l = mremap(k, 2M, 4M, MREMAP_MAYMOVE)
l & 0x1fffff
x = mmap(0x7f0000000000, 2M, PROT_READ, MAP_SHARED, fd, 0)
y = mmap(0x7f0000600000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
z = mmap(0x7f0000400000, 2M, PROT_READ, MAP_SHARED, fd, 0)
z & 0x1fffff
maps
