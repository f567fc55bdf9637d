/** Invariant checker — stub, being written. */
import type { Machine } from "../machine.ts";
export function checkInvariants(_m: Machine): string[] {
  return [];
}
