// What a run's trace keeps when a peer floods the network (tests/harness/trace.ts, rpc-window.ts): huge
// RPC values as their size and hash, the RPCs of the last second for a hang report, and the journal up
// to the last completed event.
import { encode } from '../../labrpc';
import { journalLines, LARGE_VALUE_BYTES, Trace } from '../harness/trace';

function send(trace: Trace, rpc: number, value: unknown): void {
  const encoded = encode(value);
  const fields = { rpc, from: 0, to: 1, svcMeth: 'Raft.AppendEntries', bytes: encoded.length };
  trace.recordEncoded('rpc.send', fields, 'args', encoded);
}

test('an RPC value over the bound is journalled as its size and hash, the same for the same bytes', () => {
  const big = { entries: 'x'.repeat(LARGE_VALUE_BYTES + 10) };
  const hashes = [0, 1].map(() => {
    const trace = new Trace(() => 5);
    send(trace, 1, big);
    const [line] = journalLines(trace.journal()).map((l) => JSON.parse(l) as { args: unknown });
    expect(line.args).toMatch(/^<262\d{3} bytes, sha256 [0-9a-f]{16}>$/);
    expect(trace.journal().length).toBeLessThan(1000);
    return trace.hash();
  });
  expect(hashes[0]).toBe(hashes[1]);
});

test('the journal up to the last completed event, and the RPCs before and during the one in progress', () => {
  let now = 0;
  const trace = new Trace(() => now);
  for (let t = 100; t <= 900; t += 100) {
    now = t;
    send(trace, t, { entries: [1, 2, 3] });
  }
  trace.markCompleted(); // the driver marks before it fires the next timer: the clock still says 0.900 s
  now = 1000;
  send(trace, 1000, { entries: [4] }); // the event that never ends
  const { journal, whole } = trace.completedJournal(2 ** 20);
  expect(whole).toBe(true);
  expect(journalLines(journal)).toHaveLength(9);
  const lines = trace.rpcs.describe(trace.completedAt);
  expect(lines[0]).toMatch(
    /^RPCs sent in the second before 0\.900 s: 9 \(\d+ bytes\): 9 Raft\.AppendEntries/,
  );
  expect(lines[1]).toMatch(/^RPCs sent by the event that never ended: 1 \(\d+ bytes\)/);
});
