/**
 * The tester's side of the boundary (tests/harness/boundary/boundary.ts) on a scripted student side:
 * replies are matched to their requests whichever object they went to, and a handler that has not
 * returned when its batch ends is reported as pending (the network then watches its destination).
 */
import { Boundary, type StudentTransport } from '../harness/boundary/boundary';
import type { Command, Effect } from '../harness/boundary/protocol';

/** A student side whose handlers answer only when the test says so. */
class ScriptedSide implements StudentTransport {
  readonly delivered: Extract<Command, { op: 'deliver' }>[] = [];
  next: Effect[] = [];

  async run(batch: readonly Command[]): Promise<Effect[]> {
    for (const command of batch) if (command.op === 'deliver') this.delivered.push(command);
    const effects = this.next;
    this.next = [];
    return effects;
  }

  close(): void {}
}

const hop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

function boundaryOn(side: ScriptedSide): Boundary {
  return new Boundary(side, () => 0, { debug: () => {}, crash: (e) => fail(e) });
}

test('two objects handling a request each: every reply reaches its own caller', async () => {
  const side = new ScriptedSide();
  const boundary = boundaryOn(side);
  const pending: string[] = [];
  const toA = boundary.deliver(1, 'Raft.AppendEntries', bytes('a'), () => pending.push('a'));
  const toB = boundary.deliver(2, 'Raft.AppendEntries', bytes('b'), () => pending.push('b'));
  await boundary.settle(hop);
  expect(pending).toEqual(['a', 'b']); // neither handler returned within its batch
  const [a, b] = side.delivered;
  expect(a.rpc).not.toBe(b.rpc);
  // B answers first, then A.
  side.next = [{ op: 'handled', rpc: b.rpc, reply: bytes('reply-b') }];
  boundary.reply(0, null); // anything queued, so that a batch runs
  await boundary.settle(hop);
  side.next = [{ op: 'handled', rpc: a.rpc, reply: bytes('reply-a') }];
  boundary.reply(0, null);
  await boundary.settle(hop);
  expect(text(await toA)).toBe('reply-a');
  expect(text(await toB)).toBe('reply-b');
});

test('a handler that returns within its batch is not reported as pending', async () => {
  const side = new ScriptedSide();
  const boundary = boundaryOn(side);
  const pending: number[] = [];
  const reply = boundary.deliver(1, 'Raft.RequestVote', bytes('x'), () => pending.push(1));
  side.next = [{ op: 'handled', rpc: 1, reply: bytes('ok') }];
  await boundary.settle(hop);
  expect(text(await reply)).toBe('ok');
  expect(pending).toEqual([]);
});
