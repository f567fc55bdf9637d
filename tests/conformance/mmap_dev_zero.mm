# mmap of /dev/zero: a private mapping is anonymous memory that keeps /dev/zero (its offset too)
# in maps; a shared one is a shmem object, `/dev/zero (deleted)` on 00:01, shared with a child;
# an offset past the object's end SIGBUSes; placement as shmem (shared) or THP-aligned (private);
# overcommit charges both; a read-only fd refuses a shared writable mapping (EACCES)
# follows: drivers/char/mem.c mmap_zero(), get_unmapped_area_zero(); LTP mmap02, mmap06

z = open("/dev/zero", O_RDWR)
a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE, z, 0)
b = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_SHARED, z, 0)
c = mmap(NULL, 8K, PROT_READ, MAP_PRIVATE, z, 0x1000)
peek(a)
poke(a, 5)
peek(b)
poke(b, 6)
peek(c)
maps
smaps
f = fork()
@f poke(b + 4K, 7)
peek(b + 4K)
@f peek(a)
d = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_SHARED, z, 0x1000)
peek(d)
peek(d + 4K)
e = mmap(NULL, 2M, PROT_READ, MAP_PRIVATE, z, 0)
e & 0x1fffff
g = mmap(NULL, 2M, PROT_READ, MAP_SHARED, z, 0)
mmap(NULL, 4K, PROT_READ, MAP_SHARED, z, 0xfffffffffffff000)
mmap(NULL, 4K, PROT_READ, MAP_SHARED, z, 0xffffffffffffe000)
r = open("/dev/zero", O_RDONLY)
mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, r, 0)
mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE, r, 0)
madvise(a, 4K, MADV_WIPEONFORK)
madvise(a, 4K, MADV_FREE)
mremap(a, 16K, 32K, MREMAP_MAYMOVE)
maps
