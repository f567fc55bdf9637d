# munmap keeps a PTE table whose 2 MiB still holds another VMA, so a later fault past EOF maps the cached EOF page by fault-around
# follows: mm/memory.c free_pgtables(), free_pgd_range() (floor and ceiling); mm/filemap.c filemap_map_pages(); found by repl/host/fuzz.ts (seed 20 case 35)
# requires: tmp_fs=ext4

mmap(0x7f0000000000, 28K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
fd1 = open("/tmp/f2", O_RDWR|O_CREAT, 0644)
pwrite(fd1, "file data", 9, 20K)
n2 = mmap(0x7f0000007000, 20K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
memset(n2 + 1*4K, 220, 28K)
mmap(0x7f0000002000, 112K, PROT_READ, MAP_SHARED|MAP_FIXED, fd1, 16K)
peek(0x7f0000006000, 16)
smaps
