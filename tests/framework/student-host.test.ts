/**
 * The student side of the boundary (tests/harness/boundary/student-host.ts) for the services built on
 * Raft (3A–4B), on stand-in student classes: what the tester may call, what each object is given, and
 * how its RPCs leave; and the tester's checks of what a clerk answers (tests/kvraft/student-objects.ts).
 */
import { ClientEnd, decode, encode, type Persister } from '../../labrpc';
import { Boundary, type StudentTransport } from '../harness/boundary/boundary';
import { MADE_END, type Command, type Effect } from '../harness/boundary/protocol';
import { StudentHost, type StudentModules } from '../harness/boundary/student-host';
import { CtrlerClerk, KvClerk } from '../kvraft/student-objects';

const never = (): never => {
  throw new Error('not in this test');
};

class StandInRaft {
  constructor(readonly term: number) {}
  getState(): { term: number; isLeader: boolean } {
    return { term: this.term, isLeader: true };
  }
  RequestVote(): { term: number; voteGranted: boolean } {
    return { term: this.term, voteGranted: false };
  }
}

/** A shardkv server that asks its group's first server, and a server named by makeEnd, for a shard. */
class StandInShardKV {
  readonly #raft = new StandInRaft(7);
  readonly #servers: ClientEnd[];
  constructor(
    servers: ClientEnd[],
    _me: number,
    _persister: Persister,
    _maxraftstate: number,
    readonly gid: number,
    _ctrlers: ClientEnd[],
    makeEnd: (name: string) => ClientEnd,
  ) {
    this.#servers = servers;
    void servers[0].call('ShardKV.Pull', { shard: 1 });
    void makeEnd('server-101-2').call('ShardKV.Pull', { shard: 2 });
  }
  raft(): StandInRaft {
    return this.#raft;
  }
  Get(): { err: string; value: string } {
    void this.#servers[1].call('ShardKV.Pull', { shard: 3 });
    return { err: 'OK', value: `from ${this.gid}` };
  }
}

const modules = { Raft: never, ShardKV: StandInShardKV } as unknown as StudentModules;

function construct(host: StudentHost): Effect[] {
  host.run([
    {
      op: 'construct',
      call: 1,
      handle: 1,
      spec: {
        kind: 'shardkv',
        ends: ['to-s0', 'to-s1'],
        me: 0,
        raftState: new Uint8Array(),
        snapshot: new Uint8Array(),
        maxraftstate: -1,
        initial: null,
        gid: 100,
        ctrlers: ['to-c0'],
      },
    },
  ]);
  return host.take();
}

test("a shardkv server's RPCs leave through its own ends and through the ends its makeEnd made, named by server", () => {
  const host = new StudentHost(modules);
  const calls = construct(host).filter((e): e is Extract<Effect, { op: 'call' }> => e.op === 'call');
  expect(calls.map((c) => c.end)).toEqual(['to-s0', expect.stringMatching(MADE_END)]);
  expect(MADE_END.exec(calls[1].end)?.[1]).toBe('server-101-2');
  expect(calls.map((c) => decode(c.args))).toEqual([{ shard: 1 }, { shard: 2 }]);
  // Once built, a server's RPCs carry its Raft peer's state at the send (Election Safety reads it).
  expect(calls[0].state).toBeNull();
  host.run([{ op: 'deliver', rpc: 1, handle: 1, svcMeth: 'ShardKV.Get', args: encode({ key: 'a' }) }]);
  const later = host.take().find((e) => e.op === 'call');
  expect(later).toEqual(expect.objectContaining({ end: 'to-s1', state: { term: 7, isLeader: true } }));
});

test("the tester reaches a server's Raft peer (raft.getState), serves both services, and may call nothing else", async () => {
  const host = new StudentHost(modules);
  construct(host);
  host.run([
    { op: 'invoke', call: 2, handle: 1, method: 'raft.getState', args: encode([]) },
    { op: 'invoke', call: 3, handle: 1, method: 'Get', args: encode([]) },
    { op: 'deliver', rpc: 1, handle: 1, svcMeth: 'ShardKV.Get', args: encode({ key: 'a' }) },
    { op: 'deliver', rpc: 2, handle: 1, svcMeth: 'Raft.RequestVote', args: encode({ term: 1 }) },
  ]);
  await new Promise((resolve) => setImmediate(resolve));
  const effects = host.take();
  const result = (call: number) => effects.find((e) => e.op === 'result' && e.call === call);
  const handled = (rpc: number) => effects.find((e) => e.op === 'handled' && e.rpc === rpc);
  expect(decode((result(2) as { value: Uint8Array }).value)).toEqual({ term: 7, isLeader: true });
  expect(result(3)).toEqual(
    expect.objectContaining({ error: expect.stringMatching(/Get is not a method the tester may call/) }),
  );
  expect(decode((handled(1) as { reply: Uint8Array }).reply)).toEqual({ err: 'OK', value: 'from 100' });
  expect(decode((handled(2) as { reply: Uint8Array }).reply)).toEqual({ term: 7, voteGranted: false });
});

test('a class the submission does not export fails its constructor, naming it', () => {
  const host = new StudentHost(modules);
  host.run([{ op: 'construct', call: 1, handle: 1, spec: { kind: 'kvclerk', ends: ['e'] } }]);
  expect(host.take()).toEqual([
    {
      op: 'result',
      call: 1,
      error: expect.stringMatching(/^TypeError: kvraft\/Clerk is not a class the submission exports/),
    },
  ]);
});

/** A student side that answers every invoke with `value`. */
class Answering implements StudentTransport {
  constructor(readonly value: unknown) {}
  async run(batch: readonly Command[]): Promise<Effect[]> {
    return batch.flatMap((c): Effect[] =>
      c.op === 'invoke' ? [{ op: 'result', call: c.call, value: encode(this.value) }] : [],
    );
  }
  takeStray(): Effect[] {
    return [];
  }
  timer(): void {}
  close(): void {}
}

async function answer<T>(value: unknown, ask: (boundary: Boundary) => Promise<T>): Promise<T> {
  const boundary = new Boundary(new Answering(value), () => 0, { debug: () => {}, crash: (e) => fail(e) });
  const asked = ask(boundary);
  asked.catch(() => {}); // the caller's expect() takes it; it may reject before then
  await boundary.settle(() => new Promise((resolve) => setImmediate(resolve)));
  return asked;
}

test("the tester checks a clerk's answer before a test sees it: a Get's string, a Query's Config", async () => {
  await expect(answer('v', (b) => new KvClerk(b, 1).get('k'))).resolves.toBe('v');
  await expect(answer(42, (b) => new KvClerk(b, 1).get('k'))).rejects.toThrow(
    'Clerk.get() must resolve to a string; it resolved to number 42',
  );
  const config = { num: 1, shards: Array(10).fill(100), groups: { 100: ['a'] } };
  await expect(answer(config, (b) => new CtrlerClerk(b, 1).query(-1))).resolves.toEqual(config);
  await expect(answer({ ...config, shards: 'all' }, (b) => new CtrlerClerk(b, 1).query(-1))).rejects.toThrow(
    'Clerk.query() must resolve to a Config; its shards is not an array of gids',
  );
  await expect(
    answer({ ...config, groups: { 100: [1] } }, (b) => new CtrlerClerk(b, 1).query(-1)),
  ).rejects.toThrow("its groups' values are not arrays of server names");
});
