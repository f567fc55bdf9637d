/**
 * MMU notifiers (mm/mmu_notifier.c): secondary MMUs (devices, HMM mirrors,
 * KVM) subscribe to an mm and are told before and after every change that
 * removes or downgrades PTEs. mmlab's core calls {@link Mm.invalidate}
 * around each such change; drivers and HMM mirrors subscribe here.
 * @module
 */

/** enum mmu_notifier_event (include/linux/mmu_notifier.h). */
export type MmuNotifyEvent =
  | "UNMAP"
  | "CLEAR"
  | "PROTECTION_VMA"
  | "PROTECTION_PAGE"
  | "SOFT_DIRTY"
  | "RELEASE"
  | "MIGRATE"
  | "EXCLUSIVE";

export interface MmuNotifierRange {
  start: number;
  end: number;
  event: MmuNotifyEvent;
}

/** A subscription (struct mmu_notifier / mmu_interval_notifier). */
export interface MmuNotifier {
  /** Only ranges overlapping [start, end) are delivered; omit for all. */
  readonly start?: number;
  readonly end?: number;
  invalidateStart?(range: MmuNotifierRange): void;
  invalidateEnd?(range: MmuNotifierRange): void;
  /** The mm is being torn down (exit_mmap). */
  release?(): void;
}
