/**
 * commander's output settings for every command-line entry point: help and
 * usage errors are plain text. Left to itself, commander decides on colour
 * by reading NO_COLOR, FORCE_COLOR and CLICOLOR_FORCE, and a task whose
 * --allow-env does not list one of them dies on `--help` with NotCapable.
 * @module
 */

/** Pass to `Command#configureOutput`: no colour, so no environment read. */
export const PLAIN_OUTPUT = {
  getOutHasColors: (): boolean => false,
  getErrHasColors: (): boolean => false,
};
