# mlockall: MCL_FUTURE is not inherited by a forked child (def_flags keep only VM_NOHUGEPAGE)
# follows: linux-mm.md §8.1; LTP mlockall03
# requires: root=y

mlockall(MCL_FUTURE)
c = fork()
@c mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
@c smaps
mmap(0x7f0000010000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
smaps 0x7f0000010000
