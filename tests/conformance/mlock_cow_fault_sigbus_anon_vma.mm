# fault: a private write fault past EOF (SIGBUS, from a store or mlock's populate) still gives the VMA an anon_vma, so munlock's pieces stay apart
# follows: mm/memory.c do_cow_fault() (vmf_anon_prepare() before __do_fault()); mm/vma.c is_mergeable_anon_vma(); found by the differential fuzzer

fd = open("/tmp/f1", O_RDWR|O_CREAT|O_TRUNC, 0644)
mmap(0x7f0000006000, 124K, PROT_READ|PROT_WRITE|PROT_EXEC, MAP_PRIVATE|MAP_FIXED, fd, 4K)
mlock2(0x7f000000f000, 16K, 0)
poke(0x7f0000017000, 153, "data!", "xyz")
munlock(0x7f0000011000, 112K)
maps
munlock(0x7f0000006000, 124K)
maps
