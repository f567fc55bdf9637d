/**
 * mmlab: an emulated Linux machine's memory management, as a library.
 *
 * The REPL, the CLI, scripts and tests all use this API: build a
 * {@link Machine}, run syscalls in its processes with {@link syscall},
 * make CPU accesses with {@link cpuRead}/{@link cpuWrite}/{@link cpuFill},
 * and read /proc-style views.
 *
 * @example
 * ```ts
 * import { cpuWrite, Machine, syscall } from "./mod.ts";
 * const m = new Machine();
 * const p = m.init;
 * const a = syscall(p, "mmap", [0x7f0000000000n, 0x4000n, 3n, 0x32n, -1n, 0n]).ret;
 * cpuWrite(p, a, new Uint8Array([0x41]));
 * ```
 * @module
 */

export {
  checkRam,
  DEFAULT_RAM,
  Machine,
  type MachineConfig,
  MAX_RAM,
  MIN_RAM,
  type Sysctl,
} from "./lib/machine.ts";
export { type Disposition, Process } from "./lib/proc/process.ts";
export { STAT_LETTER, Task, type TaskState } from "./lib/proc/task.ts";
export { type BlockedCall, Scheduler, type SleepState } from "./lib/sched/core.ts";
export { WaitQueue, WouldBlock } from "./lib/sched/wait.ts";
export { type HrTimer, TimerQueue } from "./lib/sched/hrtimer.ts";
export { CLONE_FLAG_NAMES, CLONE_THREAD, CLONE_VM, PTHREAD_CLONE_FLAGS } from "./lib/proc/fork.ts";
export { WCHAN_NANOSLEEP } from "./lib/time/nanosleep.ts";
export { formatTimespec, NSEC_PER_SEC, readTimespec, TIMESPEC } from "./lib/abi/time.ts";
export {
  type EventBatch,
  type EventBody,
  EventLog,
  type EventOf,
  type ExitStatus,
  type LogLevel,
  type MachineEvent,
} from "./lib/events.ts";
export {
  type ArgKind,
  type ArgSpec,
  syscall,
  syscallIn,
  SYSCALLS,
  type SyscallSpec,
  syscallSpec,
  type SysOut,
} from "./lib/syscalls.ts";
export { type SteppedCall, syscallStepped } from "./lib/stepped_syscall.ts";
export {
  type DeferredPopulate,
  type PopulateDeferral,
  type PopulateRun,
} from "./lib/mm/populate.ts";
export type { AccessKind } from "./lib/mm/access.ts";
export {
  type AccessResult,
  cpuExec,
  cpuFill,
  cpuRead,
  cpuWrite,
  userfaultAccess,
  WCHAN_USERFAULT,
} from "./lib/arch/cpu.ts";
export {
  mapsEntries,
  type MapsEntry,
  mapsEntry,
  mapsLine,
  mapsLines,
  renderMapsEntry,
  vmaName,
  VSYSCALL_ENTRY,
} from "./lib/proc/maps.ts";
export { errnoByName, errnoName, isErr, strerror } from "./lib/abi/errno.ts";
export { siCodeName, SIGBUS, type SigInfo, signalName, SIGSEGV } from "./lib/abi/signal.ts";
export * as mman from "./lib/abi/mman.ts";
export {
  decodeStruct,
  encodeStruct,
  formatFlags,
  formatStruct,
  IOCTL_CONSTANTS,
  ioctlDecl,
  IOCTLS,
  type StructLayout,
  type StructValue,
  USERFAULTFD_IOC_NEW,
} from "./lib/abi/ioctl.ts";
export { formatUffdMsgs, uffdMsgForkFds } from "./lib/abi/uffd_msg.ts";
export { RESOURCE_CONSTANTS, RLIMIT_LAYOUT } from "./lib/abi/resource.ts";
export { LITERAL_BUF_MAX } from "./lib/fs/syscalls.ts";
export * as resource from "./lib/abi/resource.ts";
export { getRlimit, type Rlimit, setRlimit } from "./lib/proc/resource.ts";
export type { UserArg } from "./lib/mm/uaccess.ts";
export * as vmFlags from "./lib/mm/vm_flags.ts";
export {
  checkKnob,
  checkPreset,
  KNOBS,
  type KnobValue,
  PLANNED_KNOBS,
  plannedKnobNote,
  type Policies,
  presetNames,
  presetPolicies,
} from "./lib/policy.ts";
export type { Mm } from "./lib/mm/mm.ts";
export type { UserfaultCtx, Userfaults } from "./lib/mm/userfaultfd_k.ts";
export type { Vma } from "./lib/mm/vma.ts";
export {
  renderSmapsEntry,
  type SmapsCounters,
  smapsEntries,
  type SmapsEntry,
  smapsEntry,
  smapsLines,
} from "./lib/proc/smaps.ts";
export { pageLines, type PageRow, pageRows, renderPageRows } from "./lib/proc/pages.ts";
export {
  decodePagemapEntry,
  pagemapEntries,
  type PagemapEntry,
  renderPagemap,
} from "./lib/proc/pagemap.ts";
export {
  psLines,
  type PsRow,
  psRows,
  renderPsRows,
  renderThreadRows,
  taskStat,
  type ThreadRow,
  threadRows,
} from "./lib/proc/ps.ts";
export { type Meminfo, meminfo, meminfoLines, renderMeminfo } from "./lib/proc/meminfo.ts";
export {
  type ProcStatus,
  procStatus,
  renderProcStatus,
  renderTaskStatus,
  statusLines,
  type TaskStatus,
  taskStatus,
} from "./lib/proc/status.ts";
export { type ProcStatm, procStatm, renderProcStatm } from "./lib/proc/statm.ts";
export { renderVmstat, vmstat, type VmstatEntry } from "./lib/proc/vmstat.ts";
export {
  FOLL_NAMES,
  getUserPagesTouch,
  type GupPage,
  type GupResult,
  holdUserPages,
  isValidGupArgs,
  pinUserPages,
  releaseHeldPages,
  withoutFaultRetry,
} from "./lib/mm/gup.ts";
export { SIG_CATCH, SIG_DFL, SIG_IGN } from "./lib/proc/exit.ts";
export { checkInvariants } from "./lib/check/invariants.ts";
export { VERSION } from "./lib/version.ts";
export { FOLD_PAGES, isPageRun, type PageEntry, type PageRun } from "./lib/proc/pages.ts";
export {
  columnLetter,
  columnMark,
  renderVmmap,
  VMA_LETTERS,
  type VmaKind,
  vmaKind,
  type Vmmap,
  vmmap,
  type VmmapColumn,
  type VmmapOptions,
  type VmmapSegment,
  type VmmapVma,
} from "./lib/proc/vmmap.ts";
export {
  cellLetter,
  type DeviceRange,
  FRAME_LETTERS,
  type FrameCell,
  type FrameOwner,
  frameOwner,
  type FrameRow,
  type FramesView,
  framesView,
  renderFrames,
} from "./lib/proc/frames_view.ts";
export {
  MFD_ALLOW_SEALING,
  MFD_CLOEXEC,
  MFD_EXEC,
  MFD_HUGETLB,
  MFD_NOEXEC_SEAL,
} from "./lib/fs/syscalls.ts";
export {
  asyncEventFields,
  type Libibverbs,
  type VContext,
  type VEntry,
  type VerbResult,
  type VObject,
} from "./lib/drivers/rdma/libibverbs.ts";
export { type RdmaSlot, RdmaSubsystem } from "./lib/drivers/rdma/subsystem.ts";
export { mlx5CoreDriver, WCHAN_UVERBS_REMOVE } from "./lib/drivers/rdma/mlx5_core.ts";
export { IBV_ACCESS_NAMES, IBV_EVENT_NAMES } from "./lib/drivers/rdma/ib_verbs.ts";
export { type PciEnv, PciTopology } from "./lib/pci/topology.ts";
export { DEFAULT_PCI, type PciConfig, type PciNodeConfig } from "./lib/pci/config.ts";
export { parsePciConfig } from "./lib/pci/config_file.ts";
export {
  type BoundDriver,
  type DoorbellEntry,
  type FunctionState,
  PciDev,
} from "./lib/pci/device.ts";
export { Bar, type BarKind, type BarSpec, registerPattern } from "./lib/pci/bar.ts";
export * as pciRegs from "./lib/pci/regs.ts";
export {
  barPfn,
  pciDisableDevice,
  pciEnableDevice,
  pciLog,
  pciReleaseRegions,
  pciRequestRegions,
  pciResetFunction,
  pciSetMaster,
} from "./lib/pci/pci.ts";
export {
  filterLspci,
  lspciEntries,
  type LspciEntry,
  type LspciOptions,
  parseLspciArgs,
  renderLspci,
  renderLspciTree,
} from "./lib/pci/lspci.ts";
export { lspciStateText, renderLspciTreeState } from "./lib/pci/lspci_tree_state.ts";
export {
  DriverCore,
  PCI_ANY_ID,
  type PciDeviceId,
  type PciDriver,
  pciMatchDevice,
  pciMatchId,
  type RemoveBlocked,
} from "./lib/drivers/core/driver.ts";
export { stubDriver, vfioPciStub } from "./lib/drivers/core/stubs.ts";
export {
  FAULT_KINDS,
  type FaultKind,
  type InjectedFault,
  injectFault,
  type InjectResult,
} from "./lib/drivers/core/fault.ts";
export {
  DAX_MOUNT,
  DAX_VM_OPS,
  daxBlock,
  DaxInode,
  daxInode,
  DEFAULT_PMEM_BYTES,
  DEVDAX_PATH,
  PmemBlocks,
  PmemDevice,
} from "./lib/fs/dax.ts";
export { dmaWriteHeld, heldPfns } from "./lib/mm/pinned_dma.ts";
export { memoryFailure, type MemoryFailureResult, MF_MSG } from "./lib/mm/memory_failure.ts";
export { WCHAN_DAX_LAYOUT } from "./lib/fs/dax_layout.ts";
export { WCHAN_BREAK_LEASE } from "./lib/fs/locks.ts";
export { sendSignal, sysKill } from "./lib/proc/signal.ts";
export {
  findNotifierSubscriptions,
  type MmuIntervalNotifier,
  mmuIntervalNotifierInsert,
  mmuIntervalNotifierRemove,
  type MmuNotifierSubscriptions,
} from "./lib/mm/mmu_notifier.ts";
export {
  HMM_PFN_ERROR,
  HMM_PFN_NAMES,
  HMM_PFN_REQ_FAULT,
  HMM_PFN_REQ_NAMES,
  HMM_PFN_REQ_WRITE,
  HMM_PFN_VALID,
  HMM_PFN_WRITE,
  hmmMirrorIsMaybeSupported,
  hmmPfnFlagNames,
  hmmPfnToMapOrder,
  hmmPfnToPfn,
  hmmReqFlagNames,
} from "./lib/mm/hmm.ts";
export { DeviceMirror, mirrorOf } from "./lib/mm/hmm_mirror.ts";
export {
  calcMapTypeAndDist,
  mapTypeName,
  P2pdma,
  p2pdmaMapType,
  PCI_ACS_CR,
  PCI_ACS_EC,
  PCI_ACS_RR,
  pciP2pdmaDistance,
} from "./lib/pci/p2pdma.ts";
export {
  IbUmemOdp,
  mrAccessByPtr,
  type MrAccessKind,
  type MrAccessResult,
  type WcStatus,
} from "./lib/drivers/rdma/odp.ts";
export {
  KERNEL_TRACE_LINES,
  KernelTrace,
  type TraceDetail,
  type TraceStep,
  traceStepText,
} from "./lib/trace/kernel_trace.ts";
export {
  type DeviceMmio,
  explainAccess,
  type ExplainOutcome,
  type Explanation,
  renderExplanation,
} from "./lib/trace/explain.ts";
export {
  Iommu,
  IOMMU_READ,
  IOMMU_WRITE,
  IommuDomain,
  type IommuFault,
  type IommuPte,
} from "./lib/pci/iommu.ts";
export {
  DMA_BYTES_PER_NS,
  DMA_MAX_LEN,
  DMA_SETUP_NS,
  type DmaDir,
  DmaEngine,
  type DmaOp,
  type DmaStatus,
} from "./lib/pci/dma.ts";
export {
  pciDisableSriov,
  pciEnableSriov,
  sriovConfigureSimple,
  sriovNumvfsStore,
} from "./lib/drivers/core/sriov.ts";
export { addPciSysfs, removePciSysfs, sysfsDevicePath } from "./lib/drivers/core/sysfs.ts";
export {
  PTE_DIRTY,
  PTE_MARKER,
  PTE_PRESENT,
  PTE_PROTNONE,
  PTE_UFFD_WP,
  PTE_WRITE,
  type PteTable,
} from "./lib/mm/pagetable.ts";
export { Vfio, VFIO_REQUEST_INTERVAL_NS, vfioPciDriver } from "./lib/drivers/vfio/pci_core.ts";
export { type VfioFaultRecord, VfioPciDevice } from "./lib/drivers/vfio/device.ts";
export { VfioContainer, VfioGroup } from "./lib/drivers/vfio/container.ts";
export { type VfioDma, VfioIommu } from "./lib/drivers/vfio/type1.ts";
export * from "./lib/abi/vfio.ts";
export {
  EFD_CLOEXEC,
  EFD_NAMES,
  EFD_NONBLOCK,
  EFD_SEMAPHORE,
  EventfdCtx,
  eventfdCtx,
  eventfdSignal,
  sysEventfd2,
} from "./lib/fs/eventfd.ts";
export { vfioDoorbellLines, vfioFaultLines, vfioStatusLines } from "./lib/drivers/vfio/view.ts";
export { vfioFaultData, vfioStatusData } from "./lib/drivers/vfio/view_data.ts";
export type { VfioMappingData, VfioStatusData } from "./lib/drivers/vfio/view_data.ts";

// Types the public API references (doc lint, part a).
export type { FieldDecl, FieldType, IoctlArgKind, IoctlDecl } from "./lib/abi/ioctl.ts";
export type { UserfaultAccessResult } from "./lib/arch/cpu.ts";
export type { InvariantOptions } from "./lib/check/invariants.ts";
export type { Dmesg, LogLine } from "./lib/dmesg.ts";
export type { NvmeNamespace } from "./lib/drivers/nvme/nvme.ts";
export type { VmStat } from "./lib/mm/vmstat.ts";
export type { Taint } from "./lib/panic.ts";
export type { FrameKind, FrameTable } from "./lib/phys/frames.ts";
export type { IomemTree, MmioOps, Resource } from "./lib/phys/iomem.ts";
export type { KnobName } from "./lib/policy.ts";
export type { RetKind } from "./lib/syscalls.ts";
export type { VirtualClock } from "./lib/util/clock.ts";
export type { Rng } from "./lib/util/rng.ts";

// Types the public API references (doc lint, part c).
export type { GupRef } from "./lib/mm/gup.ts";
export type { HmmRange, MirrorTry, TrialVerdict } from "./lib/mm/hmm.ts";
export type { DevicePte, MirrorFault, MirrorInvalidation } from "./lib/mm/hmm_mirror.ts";
export type { MfResult } from "./lib/mm/memory_failure.ts";
export type { Rlimits } from "./lib/mm/mm.ts";
export type { MmapLock } from "./lib/mm/mmap_lock.ts";
export type {
  MmuIntervalNotifierOps,
  MmuNotifier,
  MmuNotifierRange,
  MmuNotifyEvent,
} from "./lib/mm/mmu_notifier.ts";
export type { PageTable, TableVisitor } from "./lib/mm/pagetable.ts";
export type { FaultPrediction, VmFault, VmOperations } from "./lib/mm/vm_ops.ts";
export type { AnonVma, UffdContextRef } from "./lib/mm/vma.ts";
export type { Proposal } from "./lib/mm/vma_ops.ts";
export type { VmaTree } from "./lib/mm/vma_tree.ts";
export type { FunctionIds, Sriov } from "./lib/pci/device.ts";
export type { LspciBar } from "./lib/pci/lspci.ts";
export type { P2pdmaMapType, P2pdmaPath, P2pdmaProvider } from "./lib/pci/p2pdma.ts";

// Types the public API references (doc lint, part b).
export type { BindResult } from "./lib/drivers/core/driver.ts";
export type { DoorbellWrite, PinApi, RdmaFunction } from "./lib/drivers/rdma/hw.ts";
export type { AsyncEventDesc } from "./lib/drivers/rdma/ib_verbs.ts";
export type { VerbsProcess } from "./lib/drivers/rdma/libibverbs.ts";
export type {
  AsyncEventFile,
  IbDevice,
  IbDeviceOps,
  RdmaUmapPriv,
  RdmaUserMmapEntry,
  Ucontext,
  Umem,
  Uobject,
  UobjectData,
  UobjectKind,
  UverbsDevice,
  UverbsFile,
} from "./lib/drivers/rdma/uverbs.ts";
export type { VfioState } from "./lib/drivers/vfio/container.ts";
export type { VfioRemoval } from "./lib/drivers/vfio/device.ts";
export type { VfioLockedVm } from "./lib/drivers/vfio/type1.ts";
export type { FileBlocks } from "./lib/fs/disk.ts";
export type { FileRaState, OpenFile } from "./lib/fs/file.ts";
export type { Filesystem, Mount, ResolvedPath } from "./lib/fs/fs.ts";
export type { FileLease, Inode, InodeKind, InodeOpsEntry, SuperBlock } from "./lib/fs/inode.ts";
export type { FileOperations, InodeOperations } from "./lib/mm/file_operations.ts";
export type { FilesStruct } from "./lib/proc/files.ts";
export type { FramesOptions } from "./lib/proc/frames_view.ts";
export type { ProcessState } from "./lib/proc/process.ts";
export type { TaskUserfault } from "./lib/proc/task.ts";
export type { Bio, BioVec, BlockDevice } from "./lib/block/blkdev.ts";
export type { NvmeCommand } from "./lib/drivers/nvme/nvme.ts";
export type { IterRequest, VmAreaDesc } from "./lib/mm/file_operations.ts";
export type { GetAreaRequest } from "./lib/mm/get_unmapped_area.ts";
