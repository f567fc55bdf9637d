# mprotect making a VM_LOCKONFAULT private mapping writable populates nothing (only VM_LOCKED without ONFAULT breaks COW)
# follows: mm/mprotect.c mprotect_fixup(), mm/gup.c populate_vma_page_range(); found by repl/host/fuzz.ts (seed 30 case 98)

mmap(0x7f0000000000, 52K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mremap(0x7f0000005000, 36K, 24K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f0000015000)
mmap(0x7f000001b000, 32K, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
mlock2(0x7f0000018000, 28K, MLOCK_ONFAULT)
mprotect(0x7f0000017000, 28K, PROT_WRITE)
smaps
