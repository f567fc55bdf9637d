# userfaultfd MINOR on a private memfd mapping: a load waits with UFFD_PAGEFAULT_FLAG_MINOR, CONTINUE maps the page-cache page read-only (a private mapping never writes the file), a store then copies it on write; a store to a cached page with no PTE waits with MINOR|WRITE and, after CONTINUE, copies; the file keeps its bytes; CONTINUE into a read-only shared mapping maps the page
# follows: mm/userfaultfd.c mfill_atomic_install_pte; mm/shmem.c shmem_get_folio_gfp; mm/memory.c do_cow_fault

uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
ioctl(uffd, UFFDIO_API, {api=UFFD_API, features=0})
b = mmap(0x7f0000200000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
m = memfd_create("shm", 0)
ftruncate(m, 16K)
pwrite(m, "one", 3, 0)
pwrite(m, "two", 3, 4096)
p = mmap(0x7f0000100000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_FIXED, m, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=p, len=16K}, mode=UFFDIO_REGISTER_MODE_MINOR})
t = pthread_create()
@t x = peek(p+1)
read(uffd, b, 32)
ioctl(uffd, UFFDIO_CONTINUE, {range={start=p, len=4K}, mode=0})
pagemap p 16K
poke(p, 0x4f)
pagemap p 16K
pread(m, b+1K, 3, 0)
@t poke(p+4K, 0x54)
read(uffd, b, 32)
ioctl(uffd, UFFDIO_CONTINUE, {range={start=p+4K, len=4K}, mode=0})
peek(p+4K, 3)
pread(m, b+1K, 3, 4096)
pagemap p 16K
smaps p
ro = mmap(0x7f0000300000, 16K, PROT_READ, MAP_SHARED|MAP_FIXED, m, 0)
ioctl(uffd, UFFDIO_REGISTER, {range={start=ro, len=16K}, mode=UFFDIO_REGISTER_MODE_MINOR})
ioctl(uffd, UFFDIO_CONTINUE, {range={start=ro, len=4K}, mode=0})
pagemap ro 4K
