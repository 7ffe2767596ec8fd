// Validation against data nobody here wrote: porcupine's test histories (103 Jepsen etcd logs for
// the register model, 6 kv logs of 6.824 style) with their known verdicts, read from
// ../shared/linearizability relative to the repository root. That data is never committed here;
// when the folder is absent (a fresh clone without it) the suite is skipped with a message saying so.
// CI has the folder, so there every file must get its expected verdict, and the count is in a test name.
import { join } from 'node:path';
import { checkLoadedHistory, loadHistoryFile } from './parsers/loaded';
import { readManifest, SHARED_HISTORY_DIR, sharedHistoryDir } from './shared-data';

const dir = sharedHistoryDir();

if (!dir) {
  // Jest lists skipped tests only with --verbose; say it in every run.
  console.warn(`shared histories: SKIPPED, no MANIFEST.json in ${SHARED_HISTORY_DIR}`);
  test.skip(`shared histories: SKIPPED, no MANIFEST.json in ${SHARED_HISTORY_DIR}`, () => undefined);
} else {
  const manifest = readManifest(dir);
  const verdicts = new Map<string, string>();

  describe(`shared histories (${manifest.length} files in ${dir})`, () => {
    test.each(manifest.map((entry) => [entry.file, entry.expected, entry] as const))(
      '%s is %s',
      (file, expected, entry) => {
        const history = loadHistoryFile(join(dir, file));
        expect(history.model).toBe(entry.model === 'kv' ? 'kv' : 'register');
        // A generous limit only so a regression fails instead of hanging; an `unknown` fails the test.
        const checked = checkLoadedHistory(history, { timeoutMs: 60_000 });
        verdicts.set(file, checked.result);
        expect(checked.operationCount).toBe(entry.ops);
        expect(checked.result).toBe(expected);
      },
    );

    test(`all ${manifest.length} shared histories get their expected verdict`, () => {
      const matching = manifest.filter((entry) => verdicts.get(entry.file) === entry.expected);
      expect(`${matching.length}/${manifest.length} verdicts match`).toBe(
        `${manifest.length}/${manifest.length} verdicts match`,
      );
    });
  });
}
