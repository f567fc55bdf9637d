# userfaultfd without UFFD_FEATURE_EVENT_REMAP: an mremap that moves one page of a registered VMA into the middle of it (MREMAP_FIXED over a registered page) copies it into a VMA that merges with its registered neighbours, and mremap_userfaultfd_prep() then resets the context of that whole merged VMA: the neighbours lose `um` too, and the pieces left stay unmerged though their flags are equal (6.18.44; what the property tests' merged: false allows)
# follows: mm/mremap.c move_vma, copy_vma; fs/userfaultfd.c mremap_userfaultfd_prep, userfaultfd_reset_ctx

a = mmap(0x7f0000000000, 32K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
b = mmap(0x7f0000080000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, 0xaa)
ioctl(uffd, UFFDIO_API, b)
poke(b+8K, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0x80, 0, 0, 0, 0, 0, 0, 1)
ioctl(uffd, UFFDIO_REGISTER, b+8K)
mmap(a, 4K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps
mremap(a+8K, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, a+12K)
maps
smaps a+4K 28K
