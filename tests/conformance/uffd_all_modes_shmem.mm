# userfaultfd with all three modes on shmem: WRITEPROTECT puts uffd-wp markers in the none PTEs; CONTINUE with MODE_WP maps a cached page protected, COPY without it maps a new page unprotected over a marker; a thread's store to the protected page waits with WRITE|WP until cleared; a load of a marker whose page the cache lacks is a MISSING userfault (flags 0), which ZEROPAGE fills over the marker
# follows: mm/userfaultfd.c mfill_atomic_install_pte; mm/shmem.c shmem_get_folio_gfp; mm/memory.c do_wp_page

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
b = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, "src")
m = memfd_create("shm", 0)
ftruncate(m, 16K)
pwrite(m, "cached", 6, 0)
s = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, m, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=s, len=16K}, mode=UFFDIO_REGISTER_MODE_MINOR|UFFDIO_REGISTER_MODE_WP|UFFDIO_REGISTER_MODE_MISSING})
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=s, len=16K}, mode=UFFDIO_WRITEPROTECT_MODE_WP})
pagemap s 16K
ioctl(uffd, UFFDIO_CONTINUE, {range={start=s, len=4K}, mode=UFFDIO_CONTINUE_MODE_WP})
ioctl(uffd, UFFDIO_COPY, {dst=s+4K, src=b, len=4K, mode=0})
pagemap s 16K
t = pthread_create()
@t poke(s, 0x43)
read(uffd, b+8K, 32)
ioctl(uffd, UFFDIO_WRITEPROTECT, {range={start=s, len=4K}, mode=0})
@t poke(s+4K, 0x53)
@t x = peek(s+8K)
read(uffd, b+8K, 32)
ioctl(uffd, UFFDIO_ZEROPAGE, {range={start=s+8K, len=4K}, mode=0})
x
pagemap s 16K
peek(s, 6)
peek(s+4K, 3)
