# mmap: MAP_HUGETLB on a regular file is EINVAL, checked before len == 0
# follows: linux-mm.md §2.1 row 3

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(NULL, 0, PROT_READ, MAP_SHARED|MAP_HUGETLB, fd, 0)
mmap(NULL, 2M, PROT_READ, MAP_PRIVATE|MAP_HUGETLB, fd, 0)
