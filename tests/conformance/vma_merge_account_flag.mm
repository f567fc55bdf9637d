# vma: a VM_ACCOUNT VMA and a VMA without it (same prot) do not merge
# follows: linux-mm.md §0.3 rule 1, §2.2

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000001000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mprotect(b, 4K, PROT_READ|PROT_WRITE)
maps
smaps
