# mlockall: MCL_FUTURE locks (and populates) mappings made afterwards; munlockall ends it
# follows: LTP mlockall01, mlockall03
# requires: root=y

mlockall(MCL_FUTURE)
a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mincore(a, 8K)
smaps
munlockall()
b = mmap(0x7f0000010000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mincore(b, 8K)
maps
