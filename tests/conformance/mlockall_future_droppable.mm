# mlockall(MCL_FUTURE): a MAP_DROPPABLE mapping made afterwards is populated but not locked
# (vma_supports_mlock() is false: __mmap_complete() clears VM_LOCKED_MASK), and mlock leaves it alone
# follows: kernel selftests/mm droppable, mm/vma.c __mmap_complete()

mlockall(MCL_FUTURE)
d = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_DROPPABLE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mincore(d, 8K)
smaps
a = mmap(0x7f0000004000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
munlockall()
mlock(d, 8K)
maps
smaps
