/**
 * Machine-wide event counters of mm that /proc/vmstat prints and nothing
 * else derives (include/linux/mmzone.h node_stat_item): the FOLL_PIN
 * counters mm/gup.c moves by one per page pinned (try_grab_folio,
 * node_stat_mod_folio(NR_FOLL_PIN_ACQUIRED)) and unpinned
 * (gup_put_folio, NR_FOLL_PIN_RELEASED), 5.7+. Their difference is the
 * number of pins held right now.
 * @module
 */

export class VmStat {
  /** nr_foll_pin_acquired */
  follPinAcquired = 0;
  /** nr_foll_pin_released */
  follPinReleased = 0;
}
