# vma: a VMA that lost PROT_WRITE keeps VM_ACCOUNT, so it merges with an accounted read-only neighbour
# follows: linux-mm.md §0.3 rule 1, §4 (P11)

a = mmap(0x7f0000000000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
b = mmap(0x7f0000001000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mprotect(a, 8K, PROT_READ)
maps
c = mmap(0x7f0000002000, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
smaps
