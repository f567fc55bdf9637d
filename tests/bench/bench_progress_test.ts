import assert from "node:assert/strict";
import { main } from "../../bench/main.ts";
import { type ProgressStream, wantsProgress } from "../../repl/progress_line.ts";

/** A stream that says it is (or is not) a terminal and keeps what is written. */
function fakeStream(terminal: boolean): ProgressStream & { text: () => string } {
  let text = "";
  return {
    isTerminal: () => terminal,
    writeSync: (p) => ((text += new TextDecoder().decode(p)), p.length),
    text: () => text,
  };
}

Deno.test("bench: on a terminal one line says which row runs; nothing when piped", async () => {
  const log = console.log;
  console.log = () => {}; // the table itself is not the point here
  try {
    for (const terminal of [true, false]) {
      const err = fakeStream(terminal);
      assert.equal(await main(["--quick", "--only", "mmap", "--mmlab-only"], err), 0);
      if (terminal && wantsProgress(err)) {
        assert.equal(err.text(), "\r(bench: mmlab mmap (1 of 1))\x1b[K\r\x1b[K");
      } else {
        assert.equal(err.text(), "", `terminal=${terminal}`);
      }
    }
  } finally {
    console.log = log;
  }
});
