// The KV parts' split between two jest files (tests/kvraft/shares.ts): every title it names is a test of
// its part, so a renamed test cannot silently move to the other file or leave the second file empty.
import path from 'node:path';
import { listLabTests } from '../harness/worker/listing';
import { SECOND_SHARE } from '../kvraft/shares';

test.each(Object.entries(SECOND_SHARE))('the second share of %s names tests of %s only', (part, titles) => {
  const listed = listLabTests(path.resolve(__dirname, `../kvraft/${part}.tests.ts`)).map((t) => t.title);
  expect([...titles].filter((title) => !listed.includes(title))).toEqual([]);
  expect(titles.size).toBeGreaterThan(0);
  expect(titles.size).toBeLessThan(listed.length);
});
