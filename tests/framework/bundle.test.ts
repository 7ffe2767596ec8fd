// The isolated runs' bundles (tests/harness/worker/bundle.ts): built once, then reused by later processes
// only while every source they were built from has the same content.
import fs from 'node:fs';
import path from 'node:path';
import { buildBundle, FRAMEWORK_ROOT } from '../harness/worker/bundle';

const dir = fs.mkdtempSync(path.join(FRAMEWORK_ROOT, 'tests', '.bundle-test-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

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
