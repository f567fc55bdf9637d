# mmap: MAP_PRIVATE|MAP_ANONYMOUS after fork: the child's changes stay in the child
# follows: LTP mmap10

a = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
memset(a, 0x41, 16K)
c = fork()
@c memset(a, 0x7a, 16K)
peek(a + 16K - 1)
@c peek(a + 16K - 1)
