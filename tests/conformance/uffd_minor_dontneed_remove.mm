# userfaultfd MINOR with MISSING on shmem, under UFFD_FEATURE_SIGBUS: MADV_DONTNEED drops the PTEs but not the page cache, so the next access is a MINOR userfault (SIGBUS here) and CONTINUE maps the kept pages; MADV_REMOVE drops the page cache too, so the next access is a MISSING userfault, CONTINUE is EFAULT and ZEROPAGE fills it; a fork's child (no EVENT_FORK) and an mremap move (no EVENT_REMAP) drop the registration
# follows: mm/shmem.c shmem_get_folio_gfp; mm/userfaultfd.c mfill_atomic_pte_continue; kernel/fork.c dup_userfaultfd; mm/mremap.c mremap_userfaultfd_prep

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=UFFD_FEATURE_SIGBUS})
m = memfd_create("shm", 0)
ftruncate(m, 16K)
s = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, m, 0)
memset(s, 0x61, 16K)
ioctl(uffd, UFFDIO_REGISTER, {range={start=s, len=16K}, mode=UFFDIO_REGISTER_MODE_MINOR|UFFDIO_REGISTER_MODE_MISSING})
peek(s)
madvise(s, 8K, MADV_DONTNEED)
pagemap s 16K
peek(s)
poke(s+4K, 1)
ioctl(uffd, UFFDIO_CONTINUE, {range={start=s, len=8K}, mode=0})
peek(s+4K)
madvise(s+8K, 4K, MADV_REMOVE)
peek(s+8K)
ioctl(uffd, UFFDIO_CONTINUE, {range={start=s+8K, len=4K}, mode=0})
ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=s+8K, len=4K}, mode=0})
peek(s+8K)
pid = fork()
@pid smaps s
@pid peek(s+12K)
madvise(s+12K, 4K, MADV_DONTNEED)
mremap(s+12K, 4K, 4K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000300000)
smaps 0x7f0000300000
peek(0x7f0000300000)
