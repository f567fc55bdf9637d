# mprotect: a range that merges into a neighbour carrying VM_MAYBE_GUARD (gu) keeps gu: vma_modify_flags() hands the merged VMA's flags back to mprotect_fixup(), sticky ones included
# follows: mm/vma.c vma_modify_flags() (VMA_MERGE_SUCCESS: *vm_flags_ptr = ret->vm_flags), mm/mprotect.c mprotect_fixup(); found by the differential fuzzer

fd = open("/tmp/f", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(0x7f0000007000, 64K, PROT_READ, MAP_PRIVATE|MAP_FIXED, fd, 4K)
mprotect(0x7f0000011000, 12K, PROT_WRITE)
madvise(0x7f0000006000, 28K, MADV_GUARD_INSTALL)
smaps
mprotect(0x7f000000c000, 24K, PROT_READ|PROT_WRITE)
smaps
a = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
mprotect(a + 8K, 8K, PROT_READ)
madvise(a, 4K, MADV_GUARD_INSTALL)
mprotect(a + 8K, 4K, PROT_READ|PROT_WRITE)
smaps 0x7f0000100000 16K
mprotect(a + 12K, 4K, PROT_READ|PROT_WRITE)
smaps 0x7f0000100000 16K
