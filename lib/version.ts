/** mmlab's version, written into transcript headers. Keep in step with deno.json. */
export const VERSION = "0.1.0";
