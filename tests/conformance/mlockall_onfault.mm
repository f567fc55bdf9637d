# mlockall: MCL_CURRENT|MCL_ONFAULT sets lo lf without populating
# follows: LTP mlockall01
# requires: root=y

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mlockall(MCL_CURRENT|MCL_ONFAULT)
mincore(a, 16K)
smaps
munlockall()
