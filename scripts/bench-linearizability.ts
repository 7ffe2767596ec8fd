/**
 * `npm run bench:lin`: how fast the linearizability checker judges the shared validation histories
 * (../shared/linearizability: 103 Jepsen etcd logs, 6 kv logs), against porcupine's Go figures from the
 * data's MANIFEST.md and against baselines measured in this same run on this same machine.
 *
 * Per file: parse once, then check (non-verbose, as porcupine's benchmarks do) `--runs` times after one
 * warm-up pass; the figure is the fastest run (the least disturbed by other processes). Medians and
 * CPU time are printed too (CPU time is less disturbed by a loaded machine than wall time).
 * Baselines: the time to parse the files, and a naive JSON.stringify of each history.
 * Printed: total and slowest check time, the etcd and kv totals beside porcupine's, the ten slowest
 * files, the ratios to the baselines, and how many verdicts match the expected ones.
 */
import Table from 'cli-table3';
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLoadedHistory, parseHistory, type LoadedHistory } from '../tests/linearizability';
import {
  readManifest,
  SHARED_HISTORY_DIR,
  sharedHistoryDir,
  type ManifestEntry,
} from '../tests/linearizability/shared-data';

// Captured at load, like the checker's own clock: nothing here should ever run under a fake clock.
const realNow = performance.now.bind(performance);

interface FileFigures {
  readonly entry: ManifestEntry;
  readonly history: LoadedHistory;
  readonly parseMs: number;
  readonly stringifyMs: number;
  readonly runsMs: number[];
  /** CPU time of the same runs: much less disturbed than wall time when other processes share the cores. */
  readonly cpuMs: number[];
  verdict: string;
}

/** Porcupine's check time per file (ms), from the verdict tables of MANIFEST.md. */
function porcupineTimes(dir: string): Map<string, number> {
  const times = new Map<string, number>();
  for (const line of readFileSync(join(dir, 'MANIFEST.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // etcd rows: | file | model | expected | ops | processes | open | time |; kv rows add clients/keys/mix.
    const column = cells[1]?.startsWith('jepsen/') ? 7 : cells[1]?.startsWith('kv/') ? 8 : -1;
    const ms = Number(cells[column]);
    if (column > 0 && Number.isFinite(ms) && cells[column] !== '') times.set(cells[1], ms);
  }
  return times;
}

function load(dir: string, entry: ManifestEntry): FileFigures {
  const text = readFileSync(join(dir, entry.file), 'utf8');
  let started = realNow();
  const history = parseHistory(text, entry.file);
  const parseMs = realNow() - started;
  started = realNow();
  JSON.stringify(history.data);
  const stringifyMs = realNow() - started;
  return { entry, history, parseMs, stringifyMs, runsMs: [], cpuMs: [], verdict: '' };
}

function checkAll(files: FileFigures[], record: boolean): void {
  for (const file of files) {
    const cpuStart = process.cpuUsage();
    const started = realNow();
    file.verdict = checkLoadedHistory(file.history).result;
    if (!record) continue;
    file.runsMs.push(realNow() - started);
    const cpu = process.cpuUsage(cpuStart);
    file.cpuMs.push((cpu.user + cpu.system) / 1000);
  }
}

const fastest = (f: FileFigures): number => Math.min(...f.runsMs);
const median = (f: FileFigures): number => [...f.runsMs].sort((a, b) => a - b)[f.runsMs.length >> 1];
const sum = (files: FileFigures[], of: (f: FileFigures) => number): number =>
  files.reduce((t, f) => t + of(f), 0);
const ms = (value: number): string => (value >= 10 ? value.toFixed(1) : value.toFixed(3));

function report(files: FileFigures[], porcupine: Map<string, number>, runs: number): void {
  const total = sum(files, fastest);
  const slowest = files.reduce((a, b) => (fastest(b) > fastest(a) ? b : a));
  const matching = files.filter((f) => f.verdict === f.entry.expected).length;
  console.log(`verdicts: ${matching}/${files.length} match the expected ones`);
  const cpu = sum(files, (f) => Math.min(...f.cpuMs));
  const medians = ms(sum(files, median));
  console.log(
    `check time, fastest of ${runs} runs per file: total ${ms(total)} ms (medians: ${medians} ms; CPU time: ${ms(cpu)} ms)`,
  );
  console.log(
    `slowest: ${slowest.entry.file} ${ms(fastest(slowest))} ms (porcupine: ${porcupine.get(slowest.entry.file) ?? '-'} ms)`,
  );
  const groups = [
    ['etcd', 'jepsen/'],
    ['kv', 'kv/'],
  ] as const;
  for (const [name, prefix] of groups) {
    const group = files.filter((f) => f.entry.file.startsWith(prefix) && porcupine.has(f.entry.file));
    const theirs = group.reduce((t, f) => t + (porcupine.get(f.entry.file) ?? 0), 0);
    const ours = sum(group, fastest);
    console.log(
      `${name} (${group.length} files porcupine timed): ours ${ms(ours)} ms, porcupine ${ms(theirs)} ms, ratio ${(ours / theirs).toFixed(2)}`,
    );
  }
  const parse = sum(files, (f) => f.parseMs);
  const stringify = sum(files, (f) => f.stringifyMs);
  console.log(
    `baselines this run: parse all ${ms(parse)} ms (check/parse ${(total / parse).toFixed(1)}x), JSON.stringify all ${ms(stringify)} ms (check/stringify ${(total / stringify).toFixed(1)}x)`,
  );
  const table = new Table({
    head: ['slowest files', 'expected', 'ours (ms)', 'median (ms)', 'porcupine (ms)'],
  });
  for (const f of [...files].sort((a, b) => fastest(b) - fastest(a)).slice(0, 10)) {
    table.push([
      f.entry.file,
      f.entry.expected,
      ms(fastest(f)),
      ms(median(f)),
      String(porcupine.get(f.entry.file) ?? '-'),
    ]);
  }
  console.log(table.toString());
}

function main(runs: number): number {
  const dir = sharedHistoryDir();
  if (!dir) {
    console.error(
      `bench:lin: no shared histories at ${SHARED_HISTORY_DIR} (MANIFEST.json missing); nothing to measure`,
    );
    return 2;
  }
  const files = readManifest(dir).map((entry) => load(dir, entry));
  checkAll(files, false); // warm-up: let the JIT compile the search before timing it
  for (let run = 0; run < runs; run++) checkAll(files, true);
  report(files, porcupineTimes(dir), runs);
  return files.every((f) => f.verdict === f.entry.expected) ? 0 : 1;
}

new Command()
  .name('bench:lin')
  .description(
    'Time the linearizability checker on the shared histories, beside porcupine and same-run baselines.',
  )
  .option(
    '--runs <n>',
    'timed runs per file (the fastest counts)',
    (value) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1)
        throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`);
      return n;
    },
    5,
  )
  .action((options: { runs: number }) => {
    process.exitCode = main(options.runs);
  })
  .parse();
