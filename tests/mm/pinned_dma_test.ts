/**
 * lib/mm/pinned_dma.ts: the device writes the frames GUP handed out, newest
 * hold first, up to the first page not held; dma_write's record names them.
 */
import assert from "node:assert/strict";
import { Session } from "../../repl/session.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

async function json(s: Session, line: string): Promise<Json> {
  const r = await s.run(`${line} --json`);
  assert.equal(r.error, undefined, line);
  return JSON.parse(r.output.join("\n")).results[0];
}

Deno.test("dma_write: the record's pfns are the held frames the bytes land in, up to the first unheld page", async () => {
  const s = new Session();
  await s.run("a = mmap(NULL, 12K, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  await s.run("memset(a, 1, 12K)");
  const pinned = (await json(s, "pin_user_pages(a, 2, FOLL_WRITE)")).out.pages.map((
    p: { pfn: number },
  ) => p.pfn);
  assert.equal(pinned.length, 2);
  // Across the two held pages.
  const both = await json(s, 'dma_write(a + 4K - 2, "ABCD")');
  assert.equal(both.ret, 4);
  assert.deepEqual(both.out.pfns, pinned);
  // From the second held page into the unheld third: it stops there.
  const part = await json(s, 'dma_write(a + 8K - 2, "WXYZ")');
  assert.equal(part.ret, 2);
  assert.deepEqual(part.out.pfns, [pinned[1]]);
  const none = await json(s, 'dma_write(a + 8K + 4, "Z")');
  assert.equal(none.errno, "EFAULT");
  assert.deepEqual(none.out.pfns, []);
  const bytes = (await s.run("peek(a + 4K - 2, 4)")).output.join("\n");
  assert.match(bytes, / 41 42 43 44 /);
  assert.match((await s.run("peek(a + 8K - 2, 4)")).output.join("\n"), / 57 58 01 01 /);
});
