# mmap: MAP_SHARED|MAP_ANONYMOUS of /dev/zero kind: parent and child share every write
# follows: LTP mmap10

a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)
c = fork()
@c memset(a, 0x7a, 16K)
peek(a + 16K - 1)
memset(a, 0x41, 4K)
@c peek(a)
