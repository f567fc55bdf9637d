# vma: an anonymous VMA moved by mremap keeps its pgoff, so a new neighbour at the new place does not merge
# follows: linux-mm.md §0.2 (vm_pgoff), §0.3 rule 4

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
n = mremap(a, 16K, 16K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000100000)
b = mmap(0x7f0000104000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
c = mmap(0x7f00000ff000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
