# userfaultfd: UFFDIO_COPY into a read-only or PROT_NONE private VMA maps the page dirty (Private_Dirty), not writable; UFFDIO_ZEROPAGE maps the zero page there (nothing dirty), but in a read-only shared anonymous VMA a shmem page, dirty
# follows: mm/userfaultfd.c mfill_atomic_install_pte() (pte_mkdirty() always, pte_mkwrite() only for VM_WRITE), mfill_atomic_pte_zeropage(); found by the differential fuzzer

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
b = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, 0xaa)
ioctl(uffd, UFFDIO_API, b)
poke(b, "staged page")
a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
n = mmap(0x7f0000010000, 16K, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
sh = mmap(0x7f0000017000, 20K, PROT_READ|PROT_EXEC, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
poke(b+8K, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0xc0, 1, 0, 0, 0, 0, 0, 1)
ioctl(uffd, UFFDIO_REGISTER, b+8K)
ioctl(uffd, UFFDIO_COPY, {dst=a, src=b, len=4K, mode=0})
ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=a+4K, len=4K}, mode=0})
ioctl(uffd, UFFDIO_COPY, {dst=n+4K, src=b+3, len=4K, mode=0})
ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=sh+12K, len=4K}, mode=0})
ioctl(uffd, UFFDIO_COPY, {dst=sh, src=b, len=4K, mode=0})
peek(a, 11)
poke(a, 1)
smaps a
smaps n
smaps sh
