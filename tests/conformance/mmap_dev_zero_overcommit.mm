# mmap of /dev/zero is charged to overcommit like anonymous memory: shared by shmem_acct_size(),
# private writable by accountable_mapping(); a private read-only one is not charged
# follows: drivers/char/mem.c mmap_zero(), mm/shmem.c shmem_zero_setup()
# requires: overcommit_memory=0

z = open("/dev/zero", O_RDWR)
mmap(NULL, 1T, PROT_READ|PROT_WRITE, MAP_SHARED, z, 0)
mmap(NULL, 1T, PROT_READ|PROT_WRITE, MAP_PRIVATE, z, 0)
a = mmap(NULL, 1T, PROT_READ, MAP_PRIVATE, z, 0)
munmap(a, 1T)
b = mmap(NULL, 1T, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_NORESERVE, z, 0)
munmap(b, 1T)
