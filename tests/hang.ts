/**
 * The bound for the "answers in linear time" tests: a guard against a
 * super-linear blowup (a quadratic pass over a 1 MB line runs for minutes,
 * an exponential one for ever), not a speed target. Speed is measured in
 * `deno task bench`, never asserted in a test: on two shared cores the
 * parallel suite stalls single tests for seconds.
 * @module
 */
export const HANG_MS = 30_000;
