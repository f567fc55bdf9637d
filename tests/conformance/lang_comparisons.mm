# comparisons on results: == != < <= > >= give 1 or 0, C's precedence, signed 64-bit
# follows: C11 6.5.8, 6.5.9 (relational and equality operators)

fd = memfd_create("c", MFD_CLOEXEC)
fd == 3
fd != 3
a = mmap(NULL, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
a > 0
a < 0x800000000000
a & 0xfff == 0
(a & 0xfff) == 0
b = mmap(NULL, 4K, PROT_READ, 0, -1, 0)
b == -1
b < 0
b >= 0
b == 0xffffffffffffffff
c = mmap(a, 4K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0)
c == -1
c <= -1 == 1
