/**
 * The handout generator's input checks (instructor-only: the handout leaves this file out). The whole
 * generator is exercised by `npm run handout:check`, which CI runs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { studentMarkdown } from '../../scripts/handout/docs';
import { isInstructorOnly, studentPackageJson } from '../../scripts/handout/files';
import { checkOut } from '../../scripts/handout/out-dir';
import { describeParts, parseParts } from '../../scripts/handout/parts';
import { parseRegions, stripRegions } from '../../scripts/handout/regions';

describe('--parts', () => {
  test('ranges and lists name the parts handed out', () => {
    expect([...parseParts('2A-2D,3A-3B')]).toEqual(['2A', '2B', '2C', '2D', '3A', '3B', '2E', '4A', '4B']);
    expect([...parseParts('3a,3b')]).toEqual(['3A', '3B', '4A', '4B']); // Lab 4's reference holds Lab 3's answers
    expect([...parseParts('4A-4B')]).toEqual(['4A', '4B']);
    expect(describeParts(parseParts('all'))).toBe('2A-2E, 3A-3B, 4A-4B');
    expect(describeParts(parseParts('2A-2D'))).toBe('2A-2E');
  });

  test('an unknown part is named, with the parts there are', () => {
    expect(() => parseParts('2A-2F')).toThrow(
      /unknown part `2F` in --parts `2A-2F`: the parts are 2A, 2B, 2C, 2D, 2E, 3A, 3B/,
    );
  });

  test('handing out a part without the later parts of its lab is refused', () => {
    expect(() => parseParts('2A,2B')).toThrow(/hands out 2A but not 2C, 2D/);
    expect(() => parseParts('3A')).toThrow(/hands out 3A but not 3B/);
    expect(() => parseParts('4A')).toThrow(/hands out 4A but not 4B/);
    expect(() => parseParts('2E')).toThrow(/hands out 2E alone: .* hand out 2A-2D \(which includes 2E\)/);
    expect(() => parseParts('3B')).toThrow(/hands out 3B without 3A: .*kvraft\/rsm\.ts.*, so hand out 3A-3B/);
  });
});

describe('solution regions', () => {
  const file = 'raft/x.ts';
  const source = [
    'f(): number {',
    '  // Your code here (2A).',
    '  // #region SOLUTION 2A',
    "  // SKELETON: return todo('2A: f');",
    '  return 1;',
    '  // #endregion',
    '}',
  ].join('\n');

  test('a region of a part handed out becomes its skeleton; one not handed out keeps the reference', () => {
    expect(stripRegions(file, source, new Set(['2A']))).toBe(
      "f(): number {\n  // Your code here (2A).\n  return todo('2A: f');\n}",
    );
    expect(stripRegions(file, source, new Set(['3A']))).toBe(
      'f(): number {\n  // Your code here (2A).\n  return 1;\n}',
    );
  });

  test('malformed markers name the file and line', () => {
    expect(() => parseRegions(file, '// #region SOLUTION 2F\n// #endregion')).toThrow(
      /raft\/x.ts:1: unknown part `2F`/,
    );
    expect(() => parseRegions(file, 'a\n// #region solution\n// #endregion')).toThrow(
      /raft\/x.ts:2: malformed region marker/,
    );
    expect(() => parseRegions(file, '// #region SOLUTION 2A\n// #region SOLUTION 2B')).toThrow(
      /raft\/x.ts:2: .*do not nest/,
    );
    expect(() => parseRegions(file, 'a\n// #endregion')).toThrow(/raft\/x.ts:2: `\/\/ #endregion` without/);
    expect(() => parseRegions(file, 'a\n// #region SOLUTION 2A\nb')).toThrow(
      /raft\/x.ts:2: region 2A is never closed/,
    );
    expect(() => parseRegions(file, '// SKELETON: x')).toThrow(/raft\/x.ts:1: `\/\/ SKELETON:` line outside/);
  });
});

describe('what ships', () => {
  test('instructor-only files stay behind, and so do the package scripts that run them', () => {
    expect(isInstructorOnly('INSTRUCTORS.md')).toBe(true);
    expect(isInstructorOnly('scripts/handout/generate.ts')).toBe(true);
    expect(isInstructorOnly('scripts/stress.ts')).toBe(false);
    const pkg = JSON.stringify({ scripts: { test: 'jest', handout: 'tsx scripts/handout.ts' } });
    expect(JSON.parse(studentPackageJson(pkg))).toEqual({ scripts: { test: 'jest' } });
  });

  test("markdown: instructors' blocks go, students' blocks are unwrapped, a broken block names its line", () => {
    const text = 'a\n<!-- #region INSTRUCTORS -->\nsecret\n<!-- #endregion -->\n<!-- STUDENTS\nhello\n-->\nb';
    expect(studentMarkdown('README.md', text)).toBe('a\nhello\nb');
    expect(() => studentMarkdown('README.md', 'a\n<!-- STUDENTS\nb')).toThrow(
      /README.md:2: the STUDENTS block is never closed/,
    );
  });

  test('--out must be a new or empty folder outside the repository', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'raftlab-handout-test-'));
    expect(() => checkOut(process.cwd(), out)).not.toThrow();
    fs.writeFileSync(path.join(out, 'x'), '');
    expect(() => checkOut(process.cwd(), out)).toThrow(/exists and is not empty: choose a new folder/);
    expect(() => checkOut(process.cwd(), path.resolve('raft'))).toThrow(/inside the source repository/);
    fs.rmSync(out, { recursive: true });
  });
});
