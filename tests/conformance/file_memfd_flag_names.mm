# memfd_create: the MFD_* flags by name; MFD_EXEC with MFD_NOEXEC_SEAL and unknown bits are EINVAL
# follows: memfd_create(2), mm/memfd.c sanitize_flags

a = memfd_create("a", MFD_CLOEXEC)
b = memfd_create("b", MFD_ALLOW_SEALING)
c = memfd_create("c", MFD_CLOEXEC|MFD_ALLOW_SEALING)
d = memfd_create("d", MFD_NOEXEC_SEAL)
e = memfd_create("e", MFD_EXEC)
memfd_create("f", MFD_EXEC|MFD_NOEXEC_SEAL)
memfd_create("g", MFD_EXEC << 1)
ftruncate(c, 4K)
m = mmap(NULL, 4K, PROT_READ|PROT_WRITE, MAP_SHARED, c, 0)
poke(m, 1)
peek(m)
