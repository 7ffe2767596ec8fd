/**
 * Listing a module's lab tests without loading it in the host (tests/harness/worker/listing.ts): what
 * jest and the stress runner do before they run anything, so that a module that never finishes loading
 * fails with a message instead of hanging them, and a module that throws says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listLabTests, listLabTestsOf, ListingError } from '../harness/worker/listing';

const FIXTURES = path.resolve(__dirname, '../harness/fixtures');
const ROOT = path.resolve(__dirname, '../..');

test("a module's tests are listed in order, from a module this process never loads", () => {
  const module = path.join(FIXTURES, 'pool.fixture.ts');
  const listed = listLabTests(module);
  expect(listed[0]).toEqual({
    name: 'Test (harness): pool counts the runs of its module',
    part: 'harness',
    title: 'pool counts the runs of its module',
  });
  expect(listed.map((t) => t.title)).toContain('pool needs the builtin settings untouched');
  expect(Object.keys(require.cache)).not.toContain(module);
  // Listed again: from the cache, the same answer.
  expect(listLabTests(module)).toEqual(listed);
});

test('a module that never finishes loading is a ListingError naming it, after the limit', () => {
  const started = Date.now();
  expect(() => listLabTests(path.join(FIXTURES, 'load-loop.fixture.ts'), ROOT, 1000)).toThrow(
    new ListingError(
      'tests/harness/fixtures/load-loop.fixture.ts was still loading after 1 s (a loop at the top level of a ' +
        'module it imports, raft/ or kvraft/ included?), so its tests cannot be listed.',
    ),
  );
  expect(Date.now() - started).toBeLessThan(20_000);
});

test('modules listed together load side by side: several that never finish cost one wait, not one each', () => {
  // Three modules that block at load (as every module importing a raft.ts with a loop at the top does),
  // and one that loads: one after another, the three would wait 3 s in all.
  const blocking = path.join(FIXTURES, 'load-block.fixture.ts');
  const importers = ['a', 'b'].map((name) => path.join(ROOT, '.lab', `listing-block-${name}.fixture.ts`));
  for (const file of importers) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `export * from ${JSON.stringify(blocking.replace(/\.ts$/, ''))};\n`);
  }
  try {
    const started = Date.now();
    const lists = listLabTestsOf(
      [blocking, ...importers, path.join(FIXTURES, 'pool.fixture.ts')],
      ROOT,
      1000,
    );
    const elapsed = Date.now() - started;
    for (const file of [blocking, ...importers]) {
      expect(String(lists.get(file))).toMatch(/was still loading after 1 s/);
    }
    expect(lists.get(path.join(FIXTURES, 'pool.fixture.ts'))).toContainEqual(
      expect.objectContaining({ title: 'pool counts the runs of its module' }),
    );
    expect(elapsed).toBeLessThan(3000);
  } finally {
    for (const file of importers) fs.rmSync(file, { force: true });
  }
});

test('a module that throws while loading, or does not compile, is a ListingError saying so', () => {
  expect(() => listLabTests(path.join(FIXTURES, 'load-throw.fixture.ts'))).toThrow(
    /load-throw\.fixture\.ts threw while loading, so its tests cannot be listed: Error: raft\.ts: half-written/,
  );
  const broken = path.join(ROOT, '.lab', 'listing-broken.fixture.ts');
  fs.mkdirSync(path.dirname(broken), { recursive: true });
  fs.writeFileSync(broken, 'export const tests = [;\n');
  try {
    expect(() => listLabTests(broken)).toThrow(/listing-broken\.fixture\.ts does not compile/);
  } finally {
    fs.rmSync(broken, { force: true });
  }
});
