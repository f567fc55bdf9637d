# mmap: shared anonymous memory is charged to overcommit for its whole size when it is set up
# (shmem_zero_setup() -> shmem_acct_size() -> security_vm_enough_memory_mm()), even read-only;
# MAP_NORESERVE skips the charge; a refused MAP_FIXED mapping leaves the range it replaced unmapped
# follows: mm/shmem.c shmem_acct_size(), mm/vma.c __mmap_region(); LTP mmap overcommit
# requires: overcommit_memory=0

a = mmap(NULL, 1T, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)
b = mmap(NULL, 1T, PROT_READ, MAP_SHARED|MAP_ANONYMOUS, -1, 0)
c = mmap(NULL, 1T, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS|MAP_NORESERVE, -1, 0)
munmap(c, 1T)
d = mmap(NULL, 1T, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
munmap(d, 1T)
e = mmap(NULL, 64M, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_ANONYMOUS, -1, 0)
poke(e, 1)
f = mmap(0x7e0000001000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
g = mmap(0x7e0000000000, 1T, PROT_READ, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
maps 0x7e0000000000 64K
h = mmap(0x7e0000000000, 1T, PROT_READ, MAP_SHARED|MAP_ANONYMOUS|MAP_FIXED|MAP_NORESERVE, -1, 0)
maps 0x7e0000000000 64K
