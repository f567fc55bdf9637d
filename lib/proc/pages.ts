/** Per-page view — stub, being written by a helper. */
import type { Process } from "./process.ts";
export function pageLines(_p: Process, _start: number, _end: number): string[] {
  return [];
}
