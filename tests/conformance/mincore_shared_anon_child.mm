# mincore: shared anonymous pages written by a child are resident for the parent
# follows: LTP mincore04

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = fork()
@c memset(a, 1, 8K)
mincore(a, 16K)
