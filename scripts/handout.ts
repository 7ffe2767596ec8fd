/**
 * The handout generator (instructors): `npm run handout -- --out DIR [--parts 2A-2D,3A-3B]`.
 *
 * Writes a fresh project for students from this repository's working tree: the solution regions of the
 * chosen parts (default: all) replaced by their skeletons, the instructor-only files left out, README and
 * GUIDE rewritten for students, a new git repository with one commit. INSTRUCTORS.md describes it.
 * Exit status: 0 written, 2 bad input (nothing written).
 *
 * Modules: handout/parts (--parts), regions (markers), files (what ships), project (TypeScript: unused
 * imports, type check), docs (markdown blocks), generate (the steps in order).
 */
import { Command, CommanderError } from 'commander';
import { generateHandout } from './handout/generate';
import { HandoutError, describeParts, parseParts } from './handout/parts';

async function main(argv: readonly string[]): Promise<void> {
  const program = new Command('npm run handout --')
    .description('Write the student handout: solution regions of the chosen parts replaced by skeletons.')
    .requiredOption('--out <dir>', 'the folder to create (must not exist, or be empty)')
    .option('--parts <parts>', 'the parts to hand out: all, or e.g. 2A-2D,3A-3B or 3A-3B', 'all')
    .option('--no-git', 'do not make the folder a git repository')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  program.parse(argv, { from: 'user' });
  const opts = program.opts<{ out: string; parts: string; git: boolean }>();
  const parts = parseParts(opts.parts);
  console.log(`handout: parts ${describeParts(parts)} → ${opts.out}`);
  await generateHandout({
    source: process.cwd(),
    out: opts.out,
    parts,
    git: opts.git,
    log: (l) => console.log(l),
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
  if (error instanceof HandoutError) {
    console.error(`handout: ${error.message}`);
    process.exit(2);
  }
  throw error;
});
