# mremap: MREMAP_DONTUNMAP|MREMAP_FIXED (old_len == new_len, the remap_move() path) to where the moved copy merges into the source VMA it leaves in place, just past its end or over a FIXED-unmapped tail of it, returns the new address: the walk does not meet the grown source again; a move onto the hole between two compatible VMAs merges all three
# follows: mm/mremap.c remap_move() (for_each_vma_range), mremap_to(), copy_vma_and_data(), dontunmap_complete(); mm/vma.c copy_vma(); found by the differential fuzzer

a = mmap(0x7f0000006000, 16K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(a + 4K, 4K, 4K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP|MREMAP_FIXED, a + 16K)
maps
b = mmap(0x7f0000020000, 56K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(b + 24K, 24K, 24K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP|MREMAP_FIXED, b + 52K)
maps
c = mmap(0x7f0000040000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(c + 4K, "moved")
mremap(c + 4K, 8K, 8K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP|MREMAP_FIXED, c + 16K)
peek(c + 16K, 5)
peek(c + 4K, 5)
maps
mmap(0x7f0000061000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mmap(0x7f0000063000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(0x7f0000063000, 4K, 4K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP|MREMAP_FIXED, 0x7f0000062000)
maps
mmap(0x7f0000071000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mmap(0x7f0000073000, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(0x7f0000073000, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000072000)
maps
