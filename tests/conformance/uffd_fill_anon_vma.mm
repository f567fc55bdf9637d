# userfaultfd: COPY, ZEROPAGE and MOVE find their destination VMA and give a private one its anon_vma before checking it (uffd_lock_vma / find_vma_and_prepare_anon), so even an ENOENT leaves one: an mprotect read-only then keeps VM_ACCOUNT (ac), where a VMA never touched loses it; MOVE's source is only looked up (found by the fuzzer). The handshake goes through a raw pointer (see uffd_api_register)
# follows: mm/userfaultfd.c uffd_lock_vma, uffd_mfill_lock, find_vma_and_prepare_anon; mm/mprotect.c mprotect_fixup

a = mmap(0x7f0000000000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
s = mmap(0x7f0000010000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
z = mmap(0x7f0000020000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
b = mmap(0x7f0000080000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, 0xaa)
ioctl(uffd, UFFDIO_API, b)
ioctl(uffd, UFFDIO_MOVE, {dst=a, src=s, len=4K, mode=0})
ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=z, len=4K}, mode=0})
c = mmap(0x7f0000030000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
ioctl(uffd, UFFDIO_COPY, {dst=c, src=b, len=4K, mode=0})
n = mmap(0x7f0000040000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mprotect(a, 4K, PROT_READ)
mprotect(s, 4K, PROT_READ)
mprotect(z, 4K, PROT_READ)
mprotect(c, 4K, PROT_READ)
mprotect(n, 4K, PROT_READ)
smaps a
smaps s
smaps z
smaps c
smaps n
