import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keepLatestTrace } from '../harness/latest-trace';

function touch(dir: string, name: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '');
  return file;
}

test('npm test keeps only the latest failure trace of each test, and leaves the others alone', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latest-trace-'));
  try {
    const first = touch(dir, '2C-Figure-8-seed11.jsonl');
    touch(dir, '2C-Figure-8-seed11.log');
    keepLatestTrace(first);
    const other = touch(dir, '2C-Figure-8-unreliable-seed12.jsonl'); // another test, a longer title
    keepLatestTrace(other);
    touch(dir, '2C-Figure-8-seed13.jsonl'); // a stress run's trace: never noted, never removed
    const second = touch(dir, '2C-Figure-8-seed14.jsonl');
    touch(dir, '2C-Figure-8-seed14.log');
    keepLatestTrace(second);
    expect(
      fs
        .readdirSync(dir)
        .filter((name) => !name.startsWith('.'))
        .sort(),
    ).toEqual([
      '2C-Figure-8-seed13.jsonl',
      '2C-Figure-8-seed14.jsonl',
      '2C-Figure-8-seed14.log',
      '2C-Figure-8-unreliable-seed12.jsonl',
    ]);
    keepLatestTrace(second); // the same seed again (a replay): nothing to remove
    expect(fs.existsSync(second)).toBe(true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
