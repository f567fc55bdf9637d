# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18

Pictures of the machine: vmmap draws a range of the address space, one
column per page (or per power-of-two run of pages, to fit 64 columns), each
VMA a run of its letter, upper case where a page is present, with a row of
marks below (P pinned, w uffd-wp, ! guard marker, m uffd-missing). The same
range always gets the same scale, so a split lines up with the picture
before it. Replay it with: deno task replay scripts/examples/pictures.mm

  [1] mm> a = mmap(0x7f0000000000, 64K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0)
  = 0x7f0000000000
  [1] mm> memset(a, 0x41, 16K)
  = 16384
  [1] mm> vmmap a 64K
  vmmap 7f0000000000-7f0000010000  1 page (4K) per column
                0   16K 32K 48K 64K
                |   |   |   |   |
  7f0000000000  AAAAaaaaaaaaaaaa
    a anon  . unmapped
    (upper case: a page of the column is present)

mprotect splits the VMA in three; the columns stay where they were.

  [1] mm> mprotect(a + 32K, 16K, PROT_NONE)
  = 0
  [1] mm> vmmap a 64K
  vmmap 7f0000000000-7f0000010000  1 page (4K) per column
                0   16K 32K 48K 64K
                |   |   |   |   |
  7f0000000000  AAAAaaaaggggaaaa
    a anon  g guard  . unmapped
    (upper case: a page of the column is present)
  [1] mm> maps a 64K
  7f0000000000-7f0000008000 rw-p 00000000 00:00 0 
  7f0000008000-7f000000c000 ---p 00000000 00:00 0 
  7f000000c000-7f0000010000 rw-p 00000000 00:00 0 

A pin shows in the row of marks, and on the physical side: frames lists the
frames behind the range: owner, refcount (a pin adds 1024), mapcount, pins
and the pids that map each.

  [1] mm> pin_user_pages(a, 1, FOLL_WRITE)
  = 1
  [1] mm> vmmap a 64K
  vmmap 7f0000000000-7f0000010000  1 page (4K) per column
                0   16K 32K 48K 64K
                |   |   |   |   |
  7f0000000000  AAAAaaaaggggaaaa
                P
    a anon  g guard  . unmapped
    (upper case: a page of the column is present)
    P a page is pinned (FOLL_PIN)
  [1] mm> frames 0x1000 4
  frames 1000-1004  1 frame (4K) per cell
  01000  PAAA
    a anon 4
    (upper case: a frame of the cell is mapped; P: one is pinned)
  PFN   OWNER   REF  MAP  PIN  PIDS
  1000  anon   1025    1    1  1
  1001  anon      1    1    0  1
  1002  anon      1    1    0  1
  1003  anon      1    1    0  1

After fork both processes map the same frames (MAP 2), except the pinned
one: fork gives the child its own copy at once (1004), since a
pinned page cannot be shared copy-on-write. The child's write then copies
its page at a + 4K: the new frame (1005) belongs to the child, and the
parent's 1001 is mapped once again.

  [1] mm> fork()
  = 2
  [1] mm> @2 poke(a + 4K, 0x42)
  = 1
  [1] mm> frames 0x1000 6
  frames 1000-1006  1 frame (4K) per cell
  01000  PAAAAA
    a anon 6
    (upper case: a frame of the cell is mapped; P: one is pinned)
  PFN   OWNER   REF  MAP  PIN  PIDS
  1000  anon   1025    1    1  1
  1001  anon      1    1    0  1
  1002  anon      2    2    0  1,2
  1003  anon      2    2    0  1,2
  1004  anon      1    1    0  2
  1005  anon      1    1    0  2
  [1] mm> @2 vmmap a 64K
  vmmap 7f0000000000-7f0000010000  1 page (4K) per column
                0   16K 32K 48K 64K
                |   |   |   |   |
  7f0000000000  AAAAaaaaggggaaaa
    a anon  g guard  . unmapped
    (upper case: a page of the column is present)

Without a range, the whole user space: gaps too wide for the scale are
compressed to ~~ and each piece drawn is listed. maps --draw is the same.

  [1] mm> vmmap
  vmmap 000000000000-7ffffffff000  16 pages (64K) per column, gaps compressed (~)
                  555555554000                                 7ffffffde000
                  |                                            |
  000000000000  ~~fhh~~A~~fffffffffffffffffffffffffffffaaffff~~kkk
                       P
    a anon  f file  h heap  k stack  . unmapped  ~ gap
    (upper case: a page of the column is present)
    P a page is pinned (FOLL_PIN)
    col  2: 555555554000-555555581000 (180K)
    col  7: 7f0000000000-7f0000010000 (64K)
    col 10: 7ffff7dd2000-7ffff7fff000 (2228K)
    col 47: 7ffffffde000-7ffffffff000 (132K)

The devices have a picture too: lspci -t -k is lspci's bus tree with each
function's driver and state after it (mmlab's own: lspci -t prints none).

  [1] mm> device-unbind 06:00.0
  write(/sys/bus/pci/drivers/nvme/unbind, "0000:06:00.0") = 12
  [1] mm> inject-fault mmio-disable 05:00.0
  0000:05:00.0: COMMAND.MEMORY cleared (Mem-)
  [1] mm> lspci -t -k
  -[0000:00]-+-00.0  [no driver]
             +-01.0-[01-04]----00.0-[02-04]--+-08.0-[03]--+-00.0  [mlx5_core]
             |                               |            \-00.1  [mlx5_core] Mem-
             |                               \-09.0-[04]----00.0  [nvidia]
             +-02.0-[05]----00.0  [ixgbe] Mem-
             \-03.0-[06]----00.0  [no driver]
