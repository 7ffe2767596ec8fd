/**
 * `npm run grade -- --gradescope-autograder out/autograder.zip [--rubric FILE]`: this grader as a
 * Gradescope autograder. The zip holds, at its root (Gradescope unpacks it to /autograder/source):
 *
 * - the framework (FRAMEWORK_ENTRIES), package.json and package-lock.json — not the reference raft/
 *   and kvraft/: the grader needs neither, and students' code never shares a machine with the answers;
 * - rubric.yaml, the rubric given (checked against the real tests before packaging), and the catalogue
 *   of which module defines each test (test-catalog.json: the package has no reference to load them with);
 * - setup.sh: installs Node 20 from NodeSource's Debian packages and bubblewrap, then `npm ci`;
 * - run_autograder: grades /autograder/submission into /autograder/results/results.json.
 */
import fs from 'node:fs';
import path from 'node:path';
import yazl from 'yazl';
import { CATALOG_FILE, testHomes } from './catalog';
import { GRADER_ROOT } from './grader';
import { FRAMEWORK_ENTRIES, LAB_PARTS } from './owned';
import { checkAgainst, loadRubric } from './rubric';

const SETUP = `#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image (Ubuntu).
set -euo pipefail
apt-get update -qq
# bubblewrap: the sandbox of every graded run (scripts/grade/sandbox.ts). If the container forbids user
# namespaces, the grader still runs and every results.json says the grade was not sandboxed.
apt-get install -y -qq ca-certificates curl git bubblewrap >/dev/null
curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
apt-get install -y -qq nodejs >/dev/null
cd /autograder/source
npm ci --no-audit --no-fund
`;

const RUN = `#!/usr/bin/env bash
# Gradescope runs this for every submission: the student's files are in /autograder/submission.
set -uo pipefail
cd /autograder/source
mkdir -p /autograder/results
npx tsx scripts/grade.ts /autograder/submission --rubric rubric.yaml \\
  --out /autograder/results/grade --results-file /autograder/results/results.json \\
  -p "$(nproc)" --fresh
status=$?
if [ ! -f /autograder/results/results.json ]; then
  # The grader itself failed: say so to the student instead of leaving Gradescope without results.
  printf '{"score":0,"output":"The autograder failed (exit %s); please tell the course staff.","tests":[]}\\n' "$status" \\
    > /autograder/results/results.json
fi
`;

function addTree(zip: yazl.ZipFile, rel: string): void {
  const full = path.join(GRADER_ROOT, rel);
  if (!fs.existsSync(full)) return;
  if (fs.statSync(full).isFile()) return zip.addFile(full, rel);
  for (const name of fs.readdirSync(full).sort()) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    addTree(zip, path.posix.join(rel, name));
  }
}

export async function packageAutograder(outFile: string, rubricFile: string): Promise<string> {
  const rubric = loadRubric(rubricFile);
  const homes = testHomes(GRADER_ROOT, LAB_PARTS);
  if (homes === undefined)
    throw new Error(`${GRADER_ROOT}: package the autograder from a checkout with the reference`);
  checkAgainst(rubric, [...homes.values()]);
  const zip = new yazl.ZipFile();
  for (const entry of [...FRAMEWORK_ENTRIES, 'package-lock.json']) addTree(zip, entry);
  zip.addBuffer(fs.readFileSync(rubricFile), 'rubric.yaml');
  zip.addBuffer(Buffer.from(`${JSON.stringify([...homes.values()], null, 2)}\n`), CATALOG_FILE);
  zip.addBuffer(Buffer.from(SETUP), 'setup.sh', { mode: 0o100755 });
  zip.addBuffer(Buffer.from(RUN), 'run_autograder', { mode: 0o100755 });
  zip.end();
  fs.mkdirSync(path.dirname(path.resolve(outFile)), { recursive: true });
  await new Promise<void>((resolve, reject) => {
    zip.outputStream.pipe(fs.createWriteStream(outFile)).on('close', resolve).on('error', reject);
  });
  return outFile;
}
