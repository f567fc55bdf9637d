/** ps — stub, being written by a helper. */
import type { Machine } from "../machine.ts";
export function psLines(_m: Machine): string[] {
  return [];
}
