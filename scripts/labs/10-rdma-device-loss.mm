# mmlab transcript 1
# mmlab: 0.1.0
# seed: 1
# ram: 1G
# preset: linux-6.18
# vary.CQE: 15 31 63
# vary.SEND: 64 128 256 512
# vary.MR: 0x4000 0x1000 0x2000 0x3000

Lab 10: an RDMA device lost under a running program (seed 000)

April 2019, the RDMA pull for 5.1-rc7. Linus: when the device behind a
BAR mapping is gone, why not have rdma_umap_fault() just return
VM_FAULT_SIGBUS instead of "a bogus anonymous mapping"? Jason Gunthorpe:
high availability. A program may use several cards; one of them goes
through a destructive recovery (a firmware reset, or an SR-IOV VF pulled
out of a VM for live migration). Killing the program with SIGBUS breaks
the HA design, so the kernel turns the dead BAR mappings into dummies and
tells the program through its async event fd; the BAR is only ever
written, so the program does not care, cleans up, and moves to a device
that works. The alternative, delaying the kernel until the program lets
go, was judged worse. This lab runs the program under each design
(policy rdma.onDisassociate) and ends with what each one cost.

The machine has a ConnectX-5 PF (mlx5_0) and one of its VFs (mlx5_1).
The program opens the VF the way libibverbs and libmlx5 do.

  [1] mm> ibv_devices
      device          	   node GUID
      ------          	----------------
      mlx5_0          	ec0d9a0300a10001
      mlx5_1          	ec0d9a0300a10002
  [1] mm> ctx = ibv_open_device("mlx5_1")
  openat(AT_FDCWD, "/dev/infiniband/uverbs1", O_RDWR|O_CLOEXEC) = 3
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 3, 0) = 0x7ffff7fbf000
  = 0x5555555602a0 {cmd_fd=3, async_fd=4}
  [1] mm> pd = ibv_alloc_pd(ctx)
  = 0x5555555603a0
  [1] mm> buf = mmap(NULL, 16K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)
  = 0x7ffff7fbb000
  [1] mm> mr = ibv_reg_mr(pd, buf, 0x4000, IBV_ACCESS_LOCAL_WRITE|IBV_ACCESS_REMOTE_WRITE)
  = 0x5555555604a0 {addr=0x7ffff7fbb000, length=16384, lkey=0x20000, rkey=0x20000}
  [1] mm> cq = ibv_create_cq(ctx, 15)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fba000
  = 0x5555555605a0 {cqe=15}
  [1] mm> qp = ibv_create_qp(pd, cq, cq)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb9000
  = 0x5555555606a0 {qp_num=264}
  [1] mm> uar = 0x7ffff7fbf000
  = 140737353871360 (0x7ffff7fbf000)
  [1] mm> maps uar
  7ffff7fbf000-7ffff7fc0000 -w-s 00000000 00:06 1001                       /dev/infiniband/uverbs1
  [1] mm> smaps uar
  7ffff7fbf000-7ffff7fc0000 -w-s 00000000 00:06 1001                       /dev/infiniband/uverbs1
  Size:                  4 kB
  KernelPageSize:        4 kB
  MMUPageSize:           4 kB
  Rss:                   0 kB
  Pss:                   0 kB
  Pss_Dirty:             0 kB
  Shared_Clean:          0 kB
  Shared_Dirty:          0 kB
  Private_Clean:         0 kB
  Private_Dirty:         0 kB
  Referenced:            0 kB
  Anonymous:             0 kB
  KSM:                   0 kB
  LazyFree:              0 kB
  AnonHugePages:         0 kB
  ShmemPmdMapped:        0 kB
  FilePmdMapped:         0 kB
  Shared_Hugetlb:        0 kB
  Private_Hugetlb:       0 kB
  Swap:                  0 kB
  SwapPss:               0 kB
  Locked:                0 kB
  THPeligible:           0
  VmFlags: wr sh mr mw me ms pf io de dd 
? What kind of mapping did libmlx5 make from the uverbs fd, and what does it point at? (Give its MAP_ flag.)
!= MAP_SHARED
! A MAP_SHARED, PROT_WRITE mapping of /dev/infiniband/uverbs1 at the offset the kernel handed out for the context's UAR page (offset 0, the first mmap entry): rdma_user_mmap_io() remapped one page of the VF's BAR 0 into it, so it is VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP (pf io de dd) with Rss 0: no struct page behind it.

The MR's pages are pinned for the device (ib_umem_get: FOLL_LONGTERM,
FOLL_WRITE for a writable access), and so are the CQ and QP buffers
libmlx5 allocated. A second, read-only mapping of the same UAR page
follows; then two sends ring the doorbell.

  [1] mm> pages buf 16K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL   REF  MAP  PIN  KIND  EXCL
  7ffff7fbb000  present  1000  rw      yes    yes    no       1025    1    1  anon  yes
  7ffff7fbc000  present  1001  rw      yes    yes    no       1025    1    1  anon  yes
  7ffff7fbd000  present  1002  rw      yes    yes    no       1025    1    1  anon  yes
  7ffff7fbe000  present  1003  rw      yes    yes    no       1025    1    1  anon  yes
  [1] mm> vmstat
  nr_free_pages 258042
  nr_anon_pages 6
  nr_mapped 0
  nr_file_pages 0
  nr_shmem 0
  nr_foll_pin_acquired 6
  nr_foll_pin_released 0
  [1] mm> ro = mmap(NULL, 4K, PROT_READ, MAP_SHARED, 3, 0)
  = 0x7ffff7fb8000
  [1] mm> ibv_post_send(qp, mr, 64)
  = 0
  [1] mm> ibv_post_send(qp, mr, 64)
  = 0
  [1] mm> doorbells mlx5_1
  [emu] 0000:03:00.1 BAR0+0x1800 write64        0xa00010802
  [emu] 0000:03:00.1 BAR0+0x1900 write64      0x10a00010802
  [1] mm> peek(ro + 0x900, 8)
  7ffff7fb8900  00 00 01 0a 00 01 08 02                           |........|
? Where did ibv_post_send's doorbell go, and what does a read of the page return? (Give the first doorbell's offset in the UAR page.)
!= 0x800
! No syscall: libmlx5 stored the first 8 bytes of the WQE's control segment to the UAR page, at 0x800 and then 0x900 (the two BlueFlame buffers), and the VF's register model logged both (BAR0 + 0x1800, 0x1900: the context got UAR page 1). A read of the page reads the device's registers: the last value written.

A thread waits for async events, as an HA program's event loop does.
Then the VF is pulled for a VM migration: the hypervisor removes it and
a new VF appears in its place.

  [1] mm> t = pthread_create()
  mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ffff75d1000
  mprotect(0x7ffff75d2000, 8388608, PROT_READ|PROT_WRITE) = 0
  clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ffff7dd1910, parent_tid=0x7ffff7dd1910, exit_signal=0, stack=0x7ffff75d1000, stack_size=0x7fff00, tls=0x7ffff7dd1640} => {parent_tid=[2]}, 88) = 2
  [1] mm> @t ibv_get_async_event(ctx)
  <unfinished ...> (thread 2 sleeps in ib_uverbs_event_read)
  [1] mm> inject-fault vf-migrate 03:00.1
  0000:03:00.1: surprise removal
  0000:03:00.1: new VF of 0000:03:00.0
  [pid 2] <... ibv_get_async_event resumed> = 0 {event_type=IBV_EVENT_DEVICE_FATAL, element=0}
  [1] mm> dmesg
  [    0.000014] pcieport 0000:02:08.0: pciehp: Slot(8): Link Down
  [    0.000014] pcieport 0000:02:08.0: pciehp: Slot(8): Card not present
  [    0.000014] pci 0000:03:00.1: [15b3:1018] type 00 class 0x020000 PCIe Endpoint
  [1] mm> vmstat
  nr_free_pages 258041
  nr_anon_pages 7
  nr_mapped 0
  nr_file_pages 0
  nr_shmem 0
  nr_foll_pin_acquired 6
  nr_foll_pin_released 6
  [1] mm> pages buf 16K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7ffff7fbb000  present  1000  rw      yes    yes    no         1    1    0  anon  yes
  7ffff7fbc000  present  1001  rw      yes    yes    no         1    1    0  anon  yes
  7ffff7fbd000  present  1002  rw      yes    yes    no         1    1    0  anon  yes
  7ffff7fbe000  present  1003  rw      yes    yes    no         1    1    0  anon  yes
? What did the kernel do to the program's objects, and what did it log? (How many pins did it release?)
!= 0x4000 / 4K + 2
! ib_uverbs_remove_one ran uverbs_destroy_ufile_hw on the open file: every object was destroyed (the MR, CQ and QP unpinned their pages: nr_foll_pin_released caught up, REF back to 1), IBV_EVENT_DEVICE_FATAL (8, element 0) was queued on the async fd and woke the thread, and the BAR mappings were zapped. Only the PCI layer logged anything; the RDMA side is silent.

A mapping made after the loss, here the child of a fork, gets no page.
The parent has not touched its dead mappings yet.

  [1] mm> c = fork()
  = 3
  [1] mm> @c poke(uar + 0x800, "x")
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fbf800} ---
  [1] mm> @c exit_group(0)
  = ?
  +++ exited with 0 +++
? Why SIGBUS in the child but not in the parent? (Which si_code did the child get?)
!= BUS_ADRERR
! fork duplicated the VMA and called rdma_umap_open(); the file's ucontext is gone, so it zapped the new VMA and cleared its private data: rdma_umap_fault() answers VM_FAULT_SIGBUS for a VMA without it, at the exact address touched. (Had the parent already faulted the dummy page in, the child would have inherited that PTE: dup_mmap calls ->open before copy_page_range, which copies VM_PFNMAP PTEs, and the child's store would have gone into the dummy page too.)

The program has not looked at the event yet: it goes on as before.

  [1] mm> ibv_alloc_pd(ctx)
  = NULL errno=EIO (Input/output error)
  [1] mm> ibv_reg_mr(pd, buf, 4K, IBV_ACCESS_LOCAL_WRITE)
  = NULL errno=EIO (Input/output error)
  [1] mm> mmap(NULL, 4K, PROT_WRITE, MAP_SHARED, 3, 0)
  = -1 EIO (Input/output error)
  [1] mm> ibv_post_send(qp, mr, 64)
  = 0
  [1] mm> peek(uar + 0x800, 8)
  7ffff7fbf800  00 00 02 0a 00 01 08 02                           |........|
  [1] mm> peek(ro + 0x800, 8)
  7ffff7fb8800  00 00 02 0a 00 01 08 02                           |........|
  [1] mm> poke(ro, "x")
  --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_ACCERR, si_addr=0x7ffff7fb8000} ---
? What did each call see after the loss? (Which errno did the kernel commands get?)
!= EIO
! Kernel commands and mmap fail with EIO. The post still returns 0: its doorbell store faulted into rdma_umap_fault, which mapped the file's dummy page (the VMA may be written: VM_WRITE) and the store landed there. The read-only mapping has VM_MAYWRITE (the fd is O_RDWR), so it got the same dummy page and reads the doorbell bytes the other mapping wrote; a store to it is still SIGSEGV SEGV_ACCERR (no VM_WRITE). The zero page is only for mappings with neither VM_WRITE nor VM_MAYWRITE, and a uverbs fd opened read-only cannot map at all (do_mmap drops VM_SHARED, rdma_user_mmap_io says EINVAL).

Recovery: destroys still work (their objects are already gone in the
hardware), then the program closes the device. The new VF took the
same name and /dev node (the lowest free ones), with a new node GUID.

  [1] mm> ibv_destroy_qp(qp)
  munmap(0x7ffff7fb9000, 4096) = 0
  = 0
  [1] mm> ibv_destroy_cq(cq)
  munmap(0x7ffff7fba000, 4096) = 0
  = 0
  [1] mm> ibv_dereg_mr(mr)
  = 0
  [1] mm> ibv_dealloc_pd(pd)
  = 0
  [1] mm> munmap(ro, 4K)
  = 0
  [1] mm> ibv_close_device(ctx)
  munmap(0x7ffff7fbf000, 4096) = 0
  close(4) = 0
  close(3) = 0
  = 0
  [1] mm> ibv_devices
      device          	   node GUID
      ------          	----------------
      mlx5_0          	ec0d9a0300a10001
      mlx5_1          	ec0d9a0300a10003
  [1] mm> check
  ok

High availability. The program now drives both devices: the PF and the
new VF. The VF is migrated again while the PF keeps working.

  [1] mm> a = ibv_open_device("mlx5_0")
  openat(AT_FDCWD, "/dev/infiniband/uverbs0", O_RDWR|O_CLOEXEC) = 3
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 3, 0) = 0x7ffff7fbf000
  = 0x5555555607a0 {cmd_fd=3, async_fd=4}
  [1] mm> apd = ibv_alloc_pd(a)
  = 0x5555555608a0
  [1] mm> amr = ibv_reg_mr(apd, buf, 4K, IBV_ACCESS_LOCAL_WRITE)
  = 0x5555555609a0 {addr=0x7ffff7fbb000, length=4096, lkey=0x20000, rkey=0x20000}
  [1] mm> acq = ibv_create_cq(a, 15)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fba000
  = 0x555555560aa0 {cqe=15}
  [1] mm> aqp = ibv_create_qp(apd, acq, acq)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb9000
  = 0x555555560ba0 {qp_num=264}
  [1] mm> b = ibv_open_device("mlx5_1")
  openat(AT_FDCWD, "/dev/infiniband/uverbs1", O_RDWR|O_CLOEXEC) = 5
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 5, 0) = 0x7ffff7fb8000
  = 0x555555560ca0 {cmd_fd=5, async_fd=6}
  [1] mm> bpd = ibv_alloc_pd(b)
  = 0x555555560da0
  [1] mm> bmr = ibv_reg_mr(bpd, buf + 4K, 4K, IBV_ACCESS_LOCAL_WRITE)
  = 0x555555560ea0 {addr=0x7ffff7fbc000, length=4096, lkey=0x20000, rkey=0x20000}
  [1] mm> bcq = ibv_create_cq(b, 15)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb7000
  = 0x555555560fa0 {cqe=15}
  [1] mm> bqp = ibv_create_qp(bpd, bcq, bcq)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff75d0000
  = 0x5555555610a0 {qp_num=264}
  [1] mm> @t ibv_get_async_event(b)
  <unfinished ...> (thread 2 sleeps in ib_uverbs_event_read)
  [1] mm> inject-fault vf-migrate 03:00.1
  0000:03:00.1: surprise removal
  0000:03:00.1: new VF of 0000:03:00.0
  [pid 2] <... ibv_get_async_event resumed> = 0 {event_type=IBV_EVENT_DEVICE_FATAL, element=0}
  [1] mm> ibv_post_send(aqp, amr, 64)
  = 0
  [1] mm> ibv_post_send(bqp, bmr, 64)
  = 0
  [1] mm> doorbells mlx5_0
  [emu] 0000:03:00.0 BAR0+0x1800 write64        0xa00010802
  [1] mm> ibv_destroy_qp(bqp)
  munmap(0x7ffff75d0000, 4096) = 0
  = 0
  [1] mm> ibv_destroy_cq(bcq)
  munmap(0x7ffff7fb7000, 4096) = 0
  = 0
  [1] mm> ibv_dereg_mr(bmr)
  = 0
  [1] mm> ibv_dealloc_pd(bpd)
  = 0
  [1] mm> ibv_close_device(b)
  munmap(0x7ffff7fb8000, 4096) = 0
  close(6) = 0
  close(5) = 0
  = 0
  [1] mm> b = ibv_open_device("mlx5_1")
  openat(AT_FDCWD, "/dev/infiniband/uverbs1", O_RDWR|O_CLOEXEC) = 5
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 5, 0) = 0x7ffff7fb8000
  = 0x5555555611a0 {cmd_fd=5, async_fd=6}
  [1] mm> bpd = ibv_alloc_pd(b)
  = 0x5555555612a0
  [1] mm> bmr = ibv_reg_mr(bpd, buf + 4K, 4K, IBV_ACCESS_LOCAL_WRITE)
  = 0x5555555613a0 {addr=0x7ffff7fbc000, length=4096, lkey=0x20000, rkey=0x20000}
  [1] mm> bcq = ibv_create_cq(b, 15)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb7000
  = 0x5555555614a0 {cqe=15}
  [1] mm> bqp = ibv_create_qp(bpd, bcq, bcq)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff75d0000
  = 0x5555555615a0 {qp_num=264}
  [1] mm> ibv_post_send(bqp, bmr, 64)
  = 0
  [1] mm> doorbells mlx5_1
  [emu] 0000:03:00.1 BAR0+0x1800 write64        0xa00010802
? What did the program lose on each device? (How many of its doorbells did mlx5_0 log?)
!= 1
! On mlx5_0 nothing: its doorbell reached the PF. On the old VF one send went into the dummy page; the event told the program, which rebuilt its objects on the new VF (mlx5_1 again, a new function) and its next send reached that device. No signal, no process lost.

Linus' design: every touch of a dead mapping is SIGBUS (also what 5.0
did by accident: rdma_umap_ops had no ->fault). This time the VF takes
a fatal error; mlx5 unloads, resets it and loads it again.

  [1] mm> policy rdma.onDisassociate sigbus
  rdma.onDisassociate = sigbus
  [1] mm> @t ibv_get_async_event(b)
  <unfinished ...> (thread 2 sleeps in ib_uverbs_event_read)
  [1] mm> inject-fault fatal 03:00.1
  0000:03:00.1: device fatal error (present now)
  [pid 2] <... ibv_get_async_event resumed> = 0 {event_type=IBV_EVENT_DEVICE_FATAL, element=0}
  [1] mm> ibv_post_send(aqp, amr, 64)
  = 0
  [1] mm> ibv_post_send(bqp, bmr, 64)
  --- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ffff7fb8900} ---
  = ? (the store to the doorbell page faulted)
? What happened to the program under this design? (Which signal?)
!= SIGBUS
! The same teardown and the same event, but the next doorbell store to the dead mapping raised SIGBUS BUS_ADRERR at the exact address. A program that does not catch it dies, and with it the work on mlx5_0 it was doing: the HA argument.

Clean up, and reopen the reloaded VF.

  [1] mm> ibv_destroy_qp(bqp)
  munmap(0x7ffff75d0000, 4096) = 0
  = 0
  [1] mm> ibv_destroy_cq(bcq)
  munmap(0x7ffff7fb7000, 4096) = 0
  = 0
  [1] mm> ibv_dereg_mr(bmr)
  = 0
  [1] mm> ibv_dealloc_pd(bpd)
  = 0
  [1] mm> ibv_close_device(b)
  munmap(0x7ffff7fb8000, 4096) = 0
  close(6) = 0
  close(5) = 0
  = 0
  [1] mm> b = ibv_open_device("mlx5_1")
  openat(AT_FDCWD, "/dev/infiniband/uverbs1", O_RDWR|O_CLOEXEC) = 5
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 5, 0) = 0x7ffff7fb8000
  = 0x5555555616a0 {cmd_fd=5, async_fd=6}
  [1] mm> bpd = ibv_alloc_pd(b)
  = 0x5555555617a0
  [1] mm> bmr = ibv_reg_mr(bpd, buf + 4K, 4K, IBV_ACCESS_LOCAL_WRITE)
  = 0x5555555618a0 {addr=0x7ffff7fbc000, length=4096, lkey=0x20000, rkey=0x20000}
  [1] mm> bcq = ibv_create_cq(b, 15)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff7fb7000
  = 0x5555555619a0 {cqe=15}
  [1] mm> bqp = ibv_create_qp(bpd, bcq, bcq)
  mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7ffff75d0000
  = 0x555555561aa0 {qp_num=264}

Linux 4.2 to 4.20: mlx4/mlx5's own disassociate_ucontext zapped the
mapping under the mmap write lock, cleared VM_SHARED and dropped its
vm_ops: the BAR mapping became private anonymous memory.

  [1] mm> policy rdma.onDisassociate anon-private
  rdma.onDisassociate = anon-private
  [1] mm> @t ibv_get_async_event(b)
  <unfinished ...> (thread 2 sleeps in ib_uverbs_event_read)
  [1] mm> inject-fault fatal 03:00.1
  0000:03:00.1: device fatal error (present now)
  [pid 2] <... ibv_get_async_event resumed> = 0 {event_type=IBV_EVENT_DEVICE_FATAL, element=0}
  [1] mm> maps 0x7ffff7fb8000
  7ffff7fb8000-7ffff7fb9000 -w-p 00000000 00:06 1001                       /dev/infiniband/uverbs1 (deleted)
  [1] mm> ibv_post_send(bqp, bmr, 64)
  = 0
  [1] mm> pages 0x7ffff7fb8000
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL  REF  MAP  PIN  KIND  EXCL
  7ffff7fb8000  present  1008  rw      yes    yes    no         1    1    0  anon  yes
  [1] mm> peek(0x7ffff7fb8800, 8)
  7ffff7fb8800  00 00 00 0a 00 01 08 02                           |........|
? How does the dead mapping differ from today's? (Is it still shared? yes or no)
!= no
! maps shows it -w-p: VM_SHARED is gone, and with no vm_ops it is anonymous memory. The doorbell store faulted in a private anonymous page of this process alone (KIND anon), which now holds the doorbell bytes; nothing is shared with the file's other mappings or with other processes.

Clean up.

  [1] mm> ibv_destroy_qp(bqp)
  munmap(0x7ffff75d0000, 4096) = 0
  = 0
  [1] mm> ibv_destroy_cq(bcq)
  munmap(0x7ffff7fb7000, 4096) = 0
  = 0
  [1] mm> ibv_dereg_mr(bmr)
  = 0
  [1] mm> ibv_dealloc_pd(bpd)
  = 0
  [1] mm> ibv_close_device(b)
  munmap(0x7ffff7fb8000, 4096) = 0
  close(6) = 0
  close(5) = 0
  = 0

A driver without disassociate_ucontext (every driver before 4.2): device
removal waits until the program has closed everything.

  [1] mm> policy rdma.onDisassociate block
  rdma.onDisassociate = block
  [1] mm> b = ibv_open_device("mlx5_1")
  openat(AT_FDCWD, "/dev/infiniband/uverbs1", O_RDWR|O_CLOEXEC) = 5
  mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, 5, 0) = 0x7ffff7fb8000
  = 0x555555561ba0 {cmd_fd=5, async_fd=6}
  [1] mm> bpd = ibv_alloc_pd(b)
  = 0x555555561ca0
  [1] mm> bmr = ibv_reg_mr(bpd, buf + 4K, 4K, IBV_ACCESS_LOCAL_WRITE)
  = 0x555555561da0 {addr=0x7ffff7fbc000, length=4096, lkey=0x20000, rkey=0x20000}
  [1] mm> inject-fault hot-unplug 03:00.1
  0000:03:00.1: surprise removal
  0000:03:00.1: mlx5_core remove waits (ib_uverbs_remove_one)
  [1] mm> ibv_devices
      device          	   node GUID
      ------          	----------------
      mlx5_0          	ec0d9a0300a10001
      mlx5_1          	ec0d9a0300a10006
  [1] mm> pages buf + 4K
  ADDRESS       PTE      PFN   ACCESS  DIRTY  YOUNG  SPECIAL   REF  MAP  PIN  KIND  EXCL
  7ffff7fbc000  present  1001  rw      yes    yes    no       1025    1    1  anon  yes
  [1] mm> ibv_alloc_pd(b)
  = 0x555555561ea0
  [1] mm> ibv_dereg_mr(bmr)
  = 0
  [1] mm> ibv_dealloc_pd(bpd)
  = 0
  [1] mm> ibv_close_device(b)
  munmap(0x7ffff7fb8000, 4096) = 0
  close(6) = 0
  close(5) = 0
  = 0
  [1] mm> ibv_devices
      device          	   node GUID
      ------          	----------------
      mlx5_0          	ec0d9a0300a10001
  [1] mm> lspci -s 03:00.1
? What did the program see, and what did the kernel wait for? (Did it get an async event? yes or no)
!= no
! Nothing at all: nothing was destroyed, so no DEVICE_FATAL was queued (a thread waiting in ibv_get_async_event would wait for ever, and its read would keep the file, and so the removal, pinned); the MR's page stayed pinned (PIN 1) and commands still succeeded against hardware that was gone. mlx5's remove slept in ib_uverbs_remove_one until the last uverbs file was released by ibv_close_device; only then did mlx5_1 go and the function leave the bus.

What each design did to the program:

design                          | the program saw                              | it lost
zero-page (5.1+, today)         | DEVICE_FATAL; EIO from commands; posts = 0   | the posts after the loss (into the dummy page)
zero-page, VMA made after loss  | SIGBUS BUS_ADRERR on first touch             | the child touching it
sigbus (Linus; 5.0 by accident) | DEVICE_FATAL, then SIGBUS on the next post   | the whole process, other device included
anon-private (4.2 - 4.20)       | DEVICE_FATAL; maps shows the mapping private | the posts (into private pages)
block (no disassociate, < 4.2)  | nothing: no event, commands still succeed    | device removal, held until the last close
