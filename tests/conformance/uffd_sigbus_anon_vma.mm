# userfaultfd with UFFD_FEATURE_SIGBUS: a store to a missing page of a registered range prepares the VMA's anon_vma before handle_userfault answers SIGBUS (do_anonymous_page: vmf_anon_prepare, then userfaultfd_missing), a load does not (it would map the zero page): an mprotect to PROT_NONE then keeps VM_ACCOUNT (ac) on the first VMA only (found by the fuzzer). The handshake and REGISTER go through a raw pointer (see uffd_api_register)
# follows: mm/memory.c do_anonymous_page; fs/userfaultfd.c handle_userfault; mm/mprotect.c mprotect_fixup

a = mmap(0x7f0000000000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
r = mmap(0x7f0000010000, 8K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
uffd = userfaultfd(O_CLOEXEC|O_NONBLOCK)
b = mmap(0x7f0000080000, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED|MAP_POPULATE, -1, 0)
poke(b, 0xaa, 0, 0, 0, 0, 0, 0, 0, 0x80)
ioctl(uffd, UFFDIO_API, b)
poke(b+8K, 0, 0, 0, 0, 0, 0x7f, 0, 0, 0, 0x20, 1, 0, 0, 0, 0, 0, 1)
ioctl(uffd, UFFDIO_REGISTER, b+8K)
poke(a, "data!")
peek(r+8, 2)
mprotect(a, 8K, PROT_NONE)
mprotect(r, 8K, PROT_NONE)
smaps a
smaps r
