// The isolated runs' bundles (tests/harness/worker/bundle.ts): built once, then reused by later processes
// only while every source they were built from has the same content.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runIsolated } from '../harness/worker';
import { buildBundle, FRAMEWORK_ROOT } from '../harness/worker/bundle';

const dir = fs.mkdtempSync(path.join(FRAMEWORK_ROOT, 'tests', '.bundle-test-'));
const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-test-'));
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(elsewhere, { recursive: true, force: true });
});

function manifestOf(bundle: string): string {
  const name = path.basename(bundle).replace(/-[0-9a-f]+\.js$/, '');
  const dirOf = path.dirname(bundle);
  const found = fs.readdirSync(dirOf).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.manifest.json'));
  return path.join(dirOf, found[0]);
}

test('an unchanged module reuses its bundle; a source edited to the same size gets a new one', async () => {
  const helper = path.join(dir, 'helper.ts');
  const module = path.join(dir, 'probe.tests.ts');
  fs.writeFileSync(helper, "export const word = 'alpha';\n");
  fs.writeFileSync(
    module,
    "import { word } from './helper';\nexport const tests = [];\nexport const seen = word;\n",
  );

  const first = await buildBundle(module, FRAMEWORK_ROOT);
  expect(fs.readFileSync(first, 'utf8')).toContain('alpha');
  const manifest = manifestOf(first);
  const builtAt = fs.statSync(manifest).mtimeMs;

  // A second process: same bundle, and no build (a build rewrites the manifest).
  expect(await buildBundle(module, FRAMEWORK_ROOT)).toBe(first);
  expect(fs.statSync(manifest).mtimeMs).toBe(builtAt);

  // Same size, same modification time as far as a zip archive could tell: the content decides.
  const { mtime } = fs.statSync(helper);
  fs.writeFileSync(helper, "export const word = 'omega';\n");
  fs.utimesSync(helper, mtime, mtime);
  const second = await buildBundle(module, FRAMEWORK_ROOT);
  expect(second).not.toBe(first);
  expect(fs.readFileSync(second, 'utf8')).toContain('omega');
});

test("a syntax error in code only another part's tests import does not stop this part's tests", async () => {
  const copy = path.join(elsewhere, 'checkout');
  fs.cpSync(FRAMEWORK_ROOT, copy, {
    recursive: true,
    filter: (src) => !/[/\\](node_modules|\.lab|\.git|out|\.bundle-test-[^/\\]*)$/.test(src),
  });
  fs.symlinkSync(path.join(FRAMEWORK_ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  // A student halfway through 3A: kvraft/server.ts does not parse. 2A's tests import nothing of kvraft/.
  fs.appendFileSync(path.join(copy, 'kvraft/server.ts'), '\nexport const half = ;\n');
  const spec = (
    moduleFile: string,
    testName: string,
  ): { moduleFile: string; testName: string; seed: number } => ({
    moduleFile,
    testName,
    seed: 1,
  });
  const twoA = await runIsolated(spec('tests/raft/2A.tests.ts', 'Test (2A): initial election'), {
    replay: '-',
    root: copy,
  });
  expect(twoA.passed).toBe(true);
  await expect(
    runIsolated(spec('tests/kvraft/3A.tests.ts', 'Test: one client (3A)'), { replay: '-', root: copy }),
  ).rejects.toThrow(/server\.ts/);
}, 60_000);
