/**
 * Which jest files the lab runner (jest-runner.ts) takes: `labModulesOf(testPath)` gives the test modules
 * a lab file registers, or undefined for any other file, which then runs through jest's sandbox as before.
 * A lab file holds, besides comments, the import of registerWithJest from tests/harness/jest.ts and calls
 * of the form `registerWithJest(require.resolve('./2A.tests'));`, one per line. The check is on the text,
 * so that jest's process never evaluates a test file to find out.
 */
import fs from 'node:fs';
import path from 'node:path';

const HARNESS_JEST = path.join(__dirname, 'jest');
const IMPORT = /^import \{ registerWithJest \} from '(\.{1,2}\/[^']*)';$/;
const REGISTER = /^registerWithJest\(require\.resolve\('(\.{1,2}\/[^']+)'\)\);$/;

/** The module file a relative specifier names, as Node resolves it with the TypeScript extension. */
function resolveModule(dir: string, specifier: string): string | undefined {
  const base = path.resolve(dir, specifier);
  return [base, `${base}.ts`, path.join(base, 'index.ts')].find((file) =>
    fs.statSync(file, { throwIfNoEntry: false })?.isFile(),
  );
}

/** The test modules a lab file registers (see the header), or undefined when the file is anything else. */
export function labModulesOf(testPath: string): string[] | undefined {
  const dir = path.dirname(testPath);
  const lines = fs
    .readFileSync(testPath, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('//'));
  const modules: string[] = [];
  let imported = false;
  for (const line of lines) {
    const importing = IMPORT.exec(line);
    const registering = REGISTER.exec(line);
    if (importing && path.resolve(dir, importing[1]) === HARNESS_JEST) imported = true;
    else if (registering && imported) {
      const file = resolveModule(dir, registering[1]);
      if (file === undefined) return undefined; // let jest say what is missing, as before
      modules.push(file);
    } else return undefined;
  }
  return modules.length > 0 ? modules : undefined;
}
