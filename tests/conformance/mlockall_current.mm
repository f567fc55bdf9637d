# mlockall: MCL_CURRENT locks every existing mapping in the window
# follows: LTP mlockall01
# requires: root=y

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
n = mmap(0x7f0000010000, 8K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mlockall(MCL_CURRENT)
mincore(a, 16K)
mincore(n, 8K)
smaps
munlockall()
smaps
