// Which jest files the lab runner takes (tests/harness/lab-files.ts). The lab files of the repository
// must all be taken: one that fell back to jest's sandbox would still pass, only slower and one test at
// a time, so nothing else would notice.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { labModulesOf } from '../harness/lab-files';

const ROOT = path.resolve(__dirname, '../..');
const HARNESS_JEST = path.join(ROOT, 'tests/harness/jest');

function jestFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jestFilesUnder(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

test('every jest file that registers lab tests by path is a lab file, with the modules it names', () => {
  const registering = jestFilesUnder(path.join(ROOT, 'tests')).filter((file) =>
    /^registerWithJest\(require\.resolve\(/m.test(fs.readFileSync(file, 'utf8')),
  );
  expect(registering.length).toBeGreaterThanOrEqual(14); // 2A-2E, 3A-3C, scripted, labrpc, codec
  for (const file of registering) {
    const modules = labModulesOf(file);
    expect([path.relative(ROOT, file), modules?.every((m) => m.endsWith('.tests.ts'))]).toEqual([
      path.relative(ROOT, file),
      true,
    ]);
  }
  expect(labModulesOf(path.join(ROOT, 'tests/framework/labrpc.test.ts'))).toEqual([
    path.join(ROOT, 'tests/framework/labrpc.tests.ts'),
    path.join(ROOT, 'tests/framework/labrpc-faults.tests.ts'),
  ]);
});

describe('a file is left to jest when it holds anything else', () => {
  let dir = '';
  let importLine = '';
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-files-'));
    fs.writeFileSync(path.join(dir, 'x.tests.ts'), 'export const tests = [];\n');
    importLine = `import { registerWithJest } from '${path.relative(dir, HARNESS_JEST)}';`;
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const labFile = (body: string): string[] | undefined => {
    const file = path.join(dir, 'x.test.ts');
    fs.writeFileSync(file, body);
    return labModulesOf(file);
  };

  test('the plain form, with comments, is taken', () => {
    const body = `// a comment\n${importLine}\n/* another */\nregisterWithJest(require.resolve('./x.tests'));\n`;
    expect(labFile(body)).toEqual([path.join(dir, 'x.tests.ts')]);
  });

  test.each([
    [
      'a second argument',
      `${importLine}\nregisterWithJest(require.resolve('./x.tests'), (t) => t.part === '2A');\n`,
    ],
    ['an imported array', `${importLine}\nimport { tests } from './x.tests';\nregisterWithJest(tests);\n`],
    ['other code', `${importLine}\nregisterWithJest(require.resolve('./x.tests'));\ntest('x', () => {});\n`],
    [
      'a module that does not exist',
      `${importLine}\nregisterWithJest(require.resolve('./missing.tests'));\n`,
    ],
    [
      'another registerWithJest',
      `import { registerWithJest } from './jest';\nregisterWithJest(require.resolve('./x.tests'));\n`,
    ],
    ['nothing registered', `${importLine}\n`],
  ])('%s', (_what, body) => {
    expect(labFile(body)).toBeUndefined();
  });
});
