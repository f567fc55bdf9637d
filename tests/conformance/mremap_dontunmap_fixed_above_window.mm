# mremap: MREMAP_DONTUNMAP|MREMAP_FIXED of a range past the end of a mapping made just below the window's top: the source is the placeholder above it, one VMA on both sides (padding islands live 1 GiB higher)
# follows: mm/mremap.c remap_move(), mremap_to(), dontunmap_complete(); repl/host/window.ts PAD_ISLANDS; found by the differential fuzzer

mmap(0x7f0000000000, 48K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
n = mmap(0x7f0000001000, 8K, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
mremap(n + 3*4K, 12K, 12K, MREMAP_MAYMOVE|MREMAP_DONTUNMAP|MREMAP_FIXED, 0x7f000000c000)
maps
mremap(n + 2*4K, 8K, 88K, MREMAP_MAYMOVE|MREMAP_FIXED, 0x7f000001d000)
maps
