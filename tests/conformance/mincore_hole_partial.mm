# mincore: a range with a hole is ENOMEM (the vector is filled up to the hole)
# follows: LTP mincore01

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000003000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
v = mmap(0x7f0000010000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
memset(v, 9, 4)
poke(a, 1)
mincore(a, 16K, v)
peek(v, 4)
