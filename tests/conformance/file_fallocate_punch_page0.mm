# file: a hole punched inside page 0 (its end before 4096) unmaps every page after it from every mapping, private COW copies kept, on ext4 and memfd alike; one elsewhere unmaps no whole page
# follows: mm/truncate.c truncate_pagecache_range() and mm/shmem.c shmem_fallocate(): (u64)(round_down(end, PAGE_SIZE) - 1) > round_up(start) holds for -1

f = open("/tmp/y", O_RDWR|O_CREAT|O_TRUNC, 0644)
ftruncate(f, 8*4096)
m = mmap(0x7f0000000000, 8*4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, f, 0)
p = mmap(0x7f0001000000, 8*4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, f, 0)
memset(m, 1, 8*4096)
peek(p, 1)
poke(p + 5*4096, 7)
smaps m
smaps p
fallocate(f, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 100, 200)
smaps m
smaps p
memset(m, 1, 8*4096)
fallocate(f, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 5000, 200)
smaps m
s = memfd_create("s", 0)
ftruncate(s, 8*4096)
n = mmap(0x7f0002000000, 8*4096, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, s, 0)
memset(n, 1, 8*4096)
fallocate(s, FALLOC_FL_PUNCH_HOLE|FALLOC_FL_KEEP_SIZE, 100, 200)
smaps n
memset(n, 1, 8*4096)
madvise(n, 4096, MADV_REMOVE)
smaps n
