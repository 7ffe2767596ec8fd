/**
 * The catalog of broken peers: classic Raft and KV bugs, each a few exact edits to the reference, with
 * the rule it breaks (rules.ts) and the part whose tests must kill it. `npm run mutants` applies each to a
 * fresh copy of the project and runs that part; every entry must be killed within 3 seeds.
 *
 * Writing an entry: anchor each edit on code, not on comments (comments and handout regions change);
 * keep the search text as short as makes it unique in its file; describe the bug as a student would.
 *
 * Left out, because on this reference it changes nothing a test may demand: "granting a vote does not
 * reset the election timer" ([F.2]). The new leader's first heartbeat follows the vote by two link
 * delays (2 ms) and resets the voter's timer anyway; the bug only moves a voter's next timeout earlier
 * when that heartbeat is lost or late, which costs an extra election (liveness), and a test could see it
 * only by assuming a lower bound on every student's election timeout. It survived 3 seeds of 2A.
 *
 * Left out for the same reason: "a voter restarts its election timer on every RequestVote, also when it
 * refuses" ([F.2]; the stall explanation `[F.2] a refused vote restarts the election timer` names it when
 * it does stall a run). Here a refused candidate times out no sooner than the voters do, so the voters
 * still stand about every other round; it survived 50 runs (5 seeds of 2C), and explore judges safety only.
 */
import type { Edit, Mutant } from './types';

/**
 * Applied to every mutant: the reference's own invariant checks (raft/errors.ts `assert`) are switched
 * off, since a student's peer has none. A mutant must be killed by the tests, not by the reference
 * catching itself (e.g. "a second leader in the same term").
 */
export const baseEdits: readonly Edit[] = [
  {
    file: 'raft/errors.ts',
    search: 'if (!condition) throw new RaftInvariantError(message());',
    replace: 'void condition;\n  void message;',
  },
];

const RV = 'raft/request-vote.ts';
const AE = 'raft/append-entries.ts';
const IS = 'raft/install-snapshot.ts';
const RAFT = 'raft/raft.ts';
const TIMERS = 'raft/timers.ts';
const APPLY = 'raft/apply-loop.ts';
const LOG = 'raft/log.ts';
const SERVER = 'kvraft/server.ts';
const STORE = 'kvraft/store.ts';
const RSM = 'kvraft/rsm.ts';
const CLIENT = 'kvraft/client.ts';
const REBALANCE = 'shardctrler/rebalance.ts';
const CTRLER = 'shardctrler/machine.ts';
const GROUP = 'shardkv/machine.ts';
const SHARDKV = 'shardkv/server.ts';

/** The start of mergeEntries' body, where two mutants put a blunter merge. */
const MERGE =
  "function mergeEntries(rf: Raft, prevLogIndex: number, entries: AppendEntriesArgs['entries']): boolean {";

export const mutants: readonly Mutant[] = [
  // ---- 2A: leader election ----
  {
    id: 'fixed-election-timeout',
    rule: '[F.2]',
    part: '2A',
    bug: 'every election timeout is the same 300 ms: not randomised',
    edits: [
      {
        file: TIMERS,
        search: 'const timeout = ELECTION_TIMEOUT_MIN_MS + randomInt(ELECTION_TIMEOUT_SPREAD_MS);',
        replace: 'const timeout = ELECTION_TIMEOUT_MIN_MS;',
      },
    ],
  },
  {
    id: 'no-timer-reset-on-heartbeat',
    rule: '[F.2]',
    part: '2A',
    bug: "a follower does not reset its election timer when the leader's AppendEntries arrive",
    edits: [{ file: AE, search: 'rf.timers.resetElection();', replace: '' }],
  },
  {
    id: 'vote-twice',
    rule: '[RV.2]',
    part: '2A',
    bug: 'grants its vote to every candidate that asks, even after voting for another in the same term',
    edits: [
      {
        file: RV,
        search: 'const free = rf.votedFor === null || rf.votedFor === args.candidateId;',
        replace: 'const free = true;',
      },
    ],
  },
  {
    id: 'vote-for-older-term',
    rule: '[RV.1]',
    part: '2A',
    bug: 'answers a RequestVote from an earlier term like a current one (goes back to that term and may vote)',
    edits: [
      {
        file: RV,
        search: 'if (args.term < rf.currentTerm) return reply;',
        replace:
          'if (args.term < rf.currentTerm) {\n    rf.currentTerm = args.term;\n    rf.votedFor = null;\n    reply.term = args.term;\n  }',
      },
    ],
  },
  {
    id: 'keep-vote-in-new-term',
    rule: '[All.2]',
    part: '2A',
    bug: 'on a newer term it takes the term but keeps votedFor from the old one',
    edits: [
      {
        file: RAFT,
        search: 'this.currentTerm = term;\n      this.votedFor = null;',
        replace: 'this.currentTerm = term;',
      },
    ],
  },
  {
    id: 'leader-ignores-newer-term-reply',
    rule: '[All.2]',
    part: '2A',
    bug: 'a leader does not step down when an AppendEntries reply carries a newer term',
    edits: [
      { file: AE, search: 'rf.observeTerm(reply.term, `AppendEntries reply from S${peer}`);', replace: '' },
    ],
  },
  {
    id: 'no-term-increment',
    rule: '[C.1]',
    part: '2A',
    bug: 'a candidate campaigns in its current term instead of incrementing it',
    edits: [{ file: RAFT, search: 'this.currentTerm += 1;', replace: '' }],
  },
  {
    id: 'no-self-vote',
    rule: '[C.1]',
    part: '2A',
    bug: 'a candidate does not count its own vote',
    edits: [
      {
        file: RAFT,
        search: "this.state = { role: 'candidate', votes: new Set([this.me]) };",
        replace: "this.state = { role: 'candidate', votes: new Set<number>() };",
      },
    ],
  },
  {
    id: 'count-stale-vote',
    rule: '[C.2]',
    part: '2A',
    bug: 'a candidate counts a vote granted to its RequestVote of an earlier term',
    edits: [
      {
        file: RV,
        search: "if (s.role !== 'candidate' || rf.currentTerm !== args.term || !reply.voteGranted) return;",
        replace: "if (s.role !== 'candidate' || !reply.voteGranted) return;",
      },
    ],
  },
  {
    id: 'leader-one-vote-short',
    rule: '[C.2]',
    part: '2A',
    bug: 'becomes leader one vote short of a majority (its own vote counted twice)',
    edits: [
      {
        file: RV,
        search: 'if (hasQuorum(rf.config(), (i) => s.votes.has(i))) rf.becomeLeader();',
        replace: 'if (s.votes.size >= Math.floor(rf.peers.length / 2)) rf.becomeLeader();',
      },
    ],
  },
  {
    id: 'candidate-rejects-leader',
    rule: '[C.3]',
    part: '2A',
    bug: "a candidate rejects AppendEntries from its own term's leader (steps down only for a newer term)",
    edits: [
      {
        file: AE,
        search: 'if (rf.killed() || args.term < rf.currentTerm) return reply;',
        replace:
          "if (rf.killed() || args.term < rf.currentTerm || (args.term === rf.currentTerm && rf.state.role === 'candidate'))\n    return reply;",
      },
    ],
  },
  {
    id: 'candidate-never-retries',
    rule: '[C.4]',
    part: '2A',
    bug: 'a candidate whose election fails waits forever instead of starting another one',
    edits: [
      {
        file: TIMERS,
        search: "if (!this.#rf.killed()) this.#rf.becomeCandidate('election timeout');",
        replace:
          "if (!this.#rf.killed() && this.#rf.state.role === 'follower') this.#rf.becomeCandidate('election timeout');",
      },
    ],
  },
  {
    id: 'no-heartbeats',
    rule: '[L.1]',
    part: '2A',
    bug: 'a new leader sends one round of AppendEntries, then none while idle',
    edits: [{ file: RAFT, search: 'this.timers.startHeartbeats();', replace: '' }],
  },
  {
    id: 'accept-older-leader',
    rule: '[AE.1]',
    part: '2B',
    bug: 'accepts AppendEntries from a leader of an earlier term',
    edits: [
      {
        file: AE,
        search: 'if (rf.killed() || args.term < rf.currentTerm) return reply;',
        replace: 'if (rf.killed()) return reply;',
      },
    ],
  },

  // ---- 2B: log replication ----
  {
    id: 'no-up-to-date-check',
    rule: '[RV.2]',
    part: '2B',
    bug: "grants votes without comparing the candidate's log with its own",
    edits: [
      {
        file: RV,
        search: 'const upToDate = isUpToDate(args.lastLogTerm, args.lastLogIndex, rf.log);',
        replace: 'const upToDate = true;',
      },
    ],
  },
  {
    id: 'up-to-date-by-length',
    rule: '[RV.2]',
    part: '2B',
    bug: 'compares logs by length only, ignoring the term of the last entry',
    edits: [
      {
        file: LOG,
        search: 'if (lastLogTerm !== log.lastTerm) return lastLogTerm > log.lastTerm;',
        replace: '',
      },
    ],
  },
  {
    id: 'apply-uncommitted',
    rule: '[All.1]',
    part: '2B',
    bug: 'applies every entry in its log, committed or not',
    edits: [
      {
        file: APPLY,
        search: 'if (rf.lastApplied >= rf.commitIndex) return null;',
        replace: 'if (rf.lastApplied >= rf.log.lastIndex) return null;',
      },
      // … and it applies as soon as an entry is in its log: start() wakes the apply loop too.
      {
        file: RAFT,
        search: 'this.timers.replicateSoon();\n    return { index: this.log.lastIndex',
        replace:
          'this.timers.replicateSoon();\n    this.applySignal.notify();\n    return { index: this.log.lastIndex',
      },
    ],
  },
  {
    id: 'no-prev-term-check',
    rule: '[AE.2]',
    part: '2B',
    bug: 'checks only that it has an entry at prevLogIndex, not its term',
    edits: [{ file: AE, search: 'if (ourTerm !== prevLogTerm) {', replace: 'if (ourTerm === undefined) {' }],
  },
  {
    id: 'no-truncate-on-conflict',
    rule: '[AE.3]',
    part: '2B',
    bug: "on a conflicting entry, appends the leader's entries without deleting its own",
    edits: [{ file: AE, search: 'rf.log.truncateFrom(index);', replace: '' }],
  },
  {
    id: 'append-duplicates',
    rule: '[AE.4]',
    part: '2B',
    bug: 'appends the entries of every AppendEntries to its log, even those it already has',
    edits: [
      {
        file: AE,
        search: MERGE,
        replace: `${MERGE}\n  rf.log.append(...entries);\n  if (entries.length > 0) return true;`,
      },
    ],
  },
  {
    id: 'commit-before-log-check',
    rule: '[AE.5]',
    part: '2B',
    bug: 'a follower takes leaderCommit even from an AppendEntries it rejects, committing its own entries',
    edits: [
      {
        file: AE,
        search: 'const ourTerm = rf.log.term(prevLogIndex);',
        replace:
          'rf.commitTo(Math.min(args.leaderCommit, rf.log.lastIndex));\n  const ourTerm = rf.log.term(prevLogIndex);',
      },
    ],
  },
  {
    id: 'start-returns-previous-index',
    rule: '[L.2]',
    part: '2B',
    bug: 'start() returns the index before the new entry',
    edits: [
      {
        file: RAFT,
        search: 'return { index: this.log.lastIndex, term: this.currentTerm, isLeader: true };',
        replace: 'return { index: this.log.lastIndex - 1, term: this.currentTerm, isLeader: true };',
      },
    ],
  },
  {
    id: 'no-backtrack',
    rule: '[L.3]',
    part: '2B',
    bug: 'never decrements nextIndex when a follower refuses AppendEntries',
    edits: [
      {
        file: AE,
        search: 's.nextIndex[peer] = Math.max(s.matchIndex[peer] + 1, Math.min(before, hinted));',
        replace: '',
      },
    ],
  },
  {
    id: 'backtrack-one-by-one',
    rule: '[L.3]',
    part: '2C',
    bug: 'on a refusal, moves nextIndex back by one entry, ignoring the follower’s conflict hint (no fast backtracking)',
    edits: [
      {
        file: AE,
        search: 's.nextIndex[peer] = Math.max(s.matchIndex[peer] + 1, Math.min(before, hinted));',
        replace: 's.nextIndex[peer] = Math.max(s.matchIndex[peer] + 1, before - 1);\n  void hinted;',
      },
    ],
  },
  {
    id: 'match-index-from-own-log',
    rule: '[L.3]',
    part: '2B',
    bug: "on success, sets the follower's matchIndex to the leader's last index, not to what the RPC carried",
    edits: [
      {
        file: AE,
        search: 'const match = args.prevLogIndex + args.entries.length;',
        replace: 'const match = rf.log.lastIndex;',
      },
    ],
  },
  {
    id: 'commit-without-majority',
    rule: '[L.4]',
    part: '2B',
    bug: 'commits an entry when one server fewer than a majority has it',
    edits: [
      {
        file: AE,
        search: 'if (hasQuorum(rf.config(), (i) => s.matchIndex[i] >= n)) {',
        replace: 'if (s.matchIndex.filter((m) => m >= n).length >= Math.floor(rf.peers.length / 2)) {',
      },
    ],
  },

  // ---- 2C: persistence ----
  {
    id: 'commit-earlier-term',
    rule: '[L.4]',
    part: '2C',
    bug: "commits an earlier term's entry once a majority has it (Figure 8)",
    edits: [{ file: AE, search: 'if ((rf.log.term(n) as number) < rf.currentTerm) return;', replace: '' }],
  },
  {
    id: 'truncate-without-conflict',
    rule: '[AE.3]',
    part: '2C',
    bug: 'replaces everything after prevLogIndex by the RPC’s entries, even entries that match (a late RPC cuts the log)',
    edits: [
      {
        file: AE,
        search: MERGE,
        replace: `${MERGE}\n  if (rf.log.lastIndex > prevLogIndex) rf.log.truncateFrom(prevLogIndex + 1);\n  rf.log.append(...entries);\n  return true;`,
      },
    ],
  },
  {
    id: 'no-persist',
    rule: '[P.1]',
    part: '2C',
    bug: 'never saves its state',
    edits: [
      {
        file: RAFT,
        search: 'persist(): void {\n    const bytes',
        replace: 'persist(): void {\n    return;\n    const bytes',
      },
    ],
  },
  {
    id: 'no-persist-vote',
    rule: '[P.1]',
    part: '2C',
    bug: 'does not save votedFor when it grants a vote (only on the next term change or append)',
    edits: [{ file: RV, search: 'rf.persist();', replace: '' }],
  },
  {
    id: 'persist-vote-after-reply',
    rule: '[P.1]',
    part: '2C',
    bug: 'saves the vote 10 ms after granting it, when the reply has already left',
    edits: [{ file: RV, search: 'rf.persist();', replace: 'setTimeout(() => rf.persist(), 10);' }],
  },
  {
    id: 'no-persist-appended-entries',
    rule: '[P.1]',
    part: '2C',
    bug: 'a follower does not save the entries it appends before replying',
    edits: [
      {
        file: AE,
        search: 'if (mergeEntries(rf, prevLogIndex, entries)) rf.persist();',
        replace: 'mergeEntries(rf, prevLogIndex, entries);',
      },
    ],
  },
  {
    id: 'no-restore',
    rule: '[P.2]',
    part: '2C',
    bug: 'a restarted peer ignores what it persisted',
    edits: [{ file: RAFT, search: 'this.#restore();', replace: '' }],
  },

  // ---- 2D: snapshots ----
  {
    id: 'persist-without-snapshot',
    rule: '[P.1]',
    part: '2D',
    bug: 'saves its trimmed log after a snapshot, but not the snapshot beside it',
    edits: [
      {
        file: RAFT,
        search: 'if (this.log.firstIndex > 0) this.persister.saveStateAndSnapshot(bytes, this.snapshotData);',
        replace:
          'if (this.log.firstIndex < 0) this.persister.saveStateAndSnapshot(bytes, this.snapshotData);',
      },
    ],
  },
  {
    id: 'install-older-term',
    rule: '[IS.1]',
    part: '2D',
    bug: 'installs an InstallSnapshot from a leader of an earlier term',
    edits: [
      {
        file: IS,
        search: 'if (rf.killed() || args.term < rf.currentTerm) return reply;',
        replace: 'if (rf.killed()) return reply;',
      },
    ],
  },
  {
    id: 'install-discards-log',
    rule: '[IS.6]',
    part: '2D',
    bug: "discards its whole log on every InstallSnapshot, even the entries after the snapshot's last one",
    edits: [
      { file: IS, search: 'if (index <= rf.commitIndex) return reply;', replace: '' },
      { file: IS, search: 'if (rf.log.term(index) === term) {', replace: 'if (index < 0) {' },
    ],
  },
  {
    id: 'install-wrong-last-term',
    rule: '[IS.7]',
    part: '2D',
    bug: "after discarding its log, records its own last term as the snapshot's last term",
    edits: [
      {
        file: IS,
        search: 'rf.log.resetTo(index, term, args.config);',
        replace: 'rf.log.resetTo(index, rf.log.lastTerm, args.config);',
      },
    ],
  },
  {
    id: 'install-not-applied',
    rule: '[IS.8]',
    part: '2D',
    bug: 'installs the snapshot in Raft but never sends it to the service',
    edits: [{ file: IS, search: 'rf.offerSnapshot({ data: args.data, term, index });', replace: '' }],
  },
  {
    id: 'stale-snapshot-applied',
    rule: '[IS.8]',
    part: '2D',
    bug: 'installs and applies a snapshot older than what it has already applied',
    edits: [
      { file: IS, search: 'if (index <= rf.commitIndex) return reply;', replace: '' },
      {
        file: APPLY,
        search: 'if (pending !== null && pending.index > rf.lastApplied) {',
        replace: 'if (pending !== null) {',
      },
    ],
  },

  // ---- 2E: membership changes (joint consensus) ----
  {
    id: 'config-direct-switch',
    rule: '[M.3]',
    part: '2E',
    bug: 'changeConfig appends C_new at once, without the joint configuration C_old,new first',
    edits: [
      {
        file: RAFT,
        search: 'const joint = { servers: current.servers, newServers: target };',
        replace: 'const joint = { servers: target, newServers: null };',
      },
    ],
  },
  {
    id: 'joint-votes-only-new',
    rule: '[M.2]',
    part: '2E',
    bug: 'during C_old,new, a candidate counts only the votes of C_new',
    edits: [
      {
        file: RV,
        search: 'if (hasQuorum(rf.config(), (i) => s.votes.has(i))) rf.becomeLeader();',
        replace:
          'const c = rf.config();\n  if (hasQuorum({ servers: c.newServers ?? c.servers, newServers: null }, (i) => s.votes.has(i))) rf.becomeLeader();',
      },
    ],
  },
  {
    id: 'config-on-commit',
    rule: '[M.1]',
    part: '2E',
    bug: 'a configuration takes effect only once its entry is committed, not when it is in the log',
    edits: [
      {
        file: RAFT,
        search: 'config(): T.Configuration {\n    return this.log.config;',
        replace: 'config(): T.Configuration {\n    return this.log.configAt(this.commitIndex);',
      },
    ],
  },
  {
    id: 'removed-server-disrupts',
    rule: '[M.8]',
    part: '2E',
    bug: "answers a removed server's RequestVote (and adopts its higher term) while the leader is alive",
    edits: [
      {
        file: RV,
        search: 'if (rf.killed() || disruptive(rf, args)) return',
        replace: 'if (rf.killed() || (false && disruptive(rf, args))) return',
      },
    ],
  },
  {
    id: 'removed-leader-stays',
    rule: '[M.5]',
    part: '2E',
    bug: 'a leader that removed itself keeps leading after C_new is committed',
    edits: [
      {
        file: RAFT,
        search: 'this.#stepDown(`removed by ${describeConfig(config)}`);',
        replace: 'void this.#stepDown;',
      },
    ],
  },

  // ---- 3A: the KV service ----
  {
    id: 'kv-no-duplicate-detection',
    rule: '[KV.1]',
    part: '3A',
    bug: 'applies every committed Put/Append, retries included',
    edits: [
      {
        file: STORE,
        search: 'if (op.seq > (this.#lastSeq.get(op.clientId) ?? 0)) {',
        replace: 'if (op.seq !== 0) {',
      },
    ],
  },
  {
    id: 'clerk-new-seq-per-retry',
    rule: '[KV.1]',
    part: '3A',
    bug: 'the Clerk gives every retry of a request a new sequence number',
    edits: [
      {
        file: CLIENT,
        search: 'const reply = await this.servers[this.#leader].call<A, R>(svcMeth, args);',
        replace:
          'const reply = await this.servers[this.#leader].call<A, R>(svcMeth, { ...args, seq: ++this.#seq });',
      },
    ],
  },
  {
    id: 'kv-reply-at-start',
    rule: '[KV.2]',
    part: '3A',
    bug: 'answers Put/Append OK as soon as start() accepts it, without waiting for it to be applied',
    edits: [
      {
        file: SERVER,
        search: 'const { err } = answer(await this.#rsm.submit(op));',
        replace:
          "const leader = this.rf.getState().isLeader;\n    void this.#rsm.submit(op);\n    const err = leader ? 'OK' : 'ErrWrongLeader';",
      },
    ],
  },
  {
    id: 'kv-any-op-at-index',
    rule: '[KV.3]',
    part: '3A',
    bug: 'answers OK once its index is applied, whichever op a new leader put there',
    edits: [
      {
        file: RSM,
        search:
          'if (waiting.term === term) waiting.settle((k) => ({ ok: true, result: results[k] }));\n    else waiting.settle(() => WRONG_LEADER);',
        replace: 'waiting.settle((k) => ({ ok: true, result: results[k] ?? results[0] }));',
      },
    ],
  },
  {
    id: 'kv-never-answers-applied',
    rule: '[KV.2]',
    part: '3A',
    bug: 'applies each op but never wakes the handler waiting for it (it waits until its leader loses office)',
    edits: [
      {
        file: RSM,
        search: 'if (waiting === undefined) return;',
        replace: 'if (waiting === undefined || index > 0) return;',
      },
      { file: RSM, search: 'else if (waited >= TIMEOUT_MS)', replace: 'else if (waited < 0)' },
    ],
  },
  {
    id: 'kv-local-get',
    rule: '[KV.4]',
    part: '3A',
    bug: 'a leader answers Get from its own store, without going through the log',
    edits: [
      {
        file: SERVER,
        search: 'return answer(await this.#rsm.submit(op));',
        replace:
          "if (!this.rf.getState().isLeader) return { err: 'ErrWrongLeader', value: '' };\n    return this.#store.apply(op);",
      },
    ],
  },

  // ---- 3B: the KV service with snapshots ----
  {
    id: 'kv-snapshot-without-dedup',
    rule: '[KV.5]',
    part: '3B',
    bug: 'the snapshot holds the key/value map but not the duplicate table',
    edits: [{ file: STORE, search: 'lastSeq: Object.fromEntries(this.#lastSeq),', replace: 'lastSeq: {},' }],
  },
  {
    id: 'kv-no-restore-on-start',
    rule: '[KV.6]',
    part: '3B',
    bug: 'a restarted server starts from an empty store instead of its persisted snapshot',
    edits: [{ file: RSM, search: 'machine.restore(persister.readSnapshot());', replace: '' }],
  },
  {
    id: 'kv-never-snapshot',
    rule: '[KV.7]',
    part: '3B',
    bug: 'never calls rf.snapshot(), whatever the size of the raft state',
    edits: [{ file: RSM, search: 'this.rf.snapshot(index, this.#machine.snapshot());', replace: '' }],
  },
  {
    id: 'kv-ignores-installed-snapshot',
    rule: '[KV.8]',
    part: '3B',
    bug: 'ignores the snapshots Raft delivers from the leader',
    edits: [
      {
        file: RSM,
        search: "if (msg.kind === 'snapshot') this.#installSnapshot(msg.snapshot, msg.snapshotIndex);",
        replace: "if (msg.kind === 'snapshot') return;",
      },
    ],
  },

  // ---- 4A: the shard controller ----
  {
    id: 'ctrler-random-tie-break',
    rule: '[SC.1]',
    part: '4A',
    bug: 'rebalancing breaks ties between equally loaded groups at random, so replicas disagree',
    edits: [
      {
        file: REBALANCE,
        search: 'ownedBy(owned, b).length - ownedBy(owned, a).length || a - b',
        replace: 'ownedBy(owned, b).length - ownedBy(owned, a).length || Math.random() - 0.5',
      },
    ],
  },
  {
    id: 'ctrler-reassign-all',
    rule: '[SC.2]',
    part: '4A',
    bug: 'rebalancing deals every shard out afresh in gid order: balanced, but shards move needlessly',
    edits: [
      {
        file: REBALANCE,
        search: 'shards.forEach((gid, shard) => (owned.get(gid) ?? free).push(shard));',
        replace: 'shards.forEach((_, shard) => free.push(shard));',
      },
    ],
  },
  {
    id: 'ctrler-no-rebalance-on-join',
    rule: '[SC.2]',
    part: '4A',
    bug: 'a Join adds the groups but leaves every shard where it was',
    edits: [
      {
        file: CTRLER,
        search:
          'for (const [gid, servers] of Object.entries(op.servers)) groups[Number(gid)] = [...servers];\n      shards = rebalance(latest.shards, gidsOf(groups));',
        replace:
          'for (const [gid, servers] of Object.entries(op.servers)) groups[Number(gid)] = [...servers];\n      shards = [...latest.shards];',
      },
    ],
  },
  {
    id: 'ctrler-shared-groups',
    rule: '[SC.3]',
    part: '4A',
    bug: 'a new configuration shares its groups map with the previous one, so changes rewrite history',
    edits: [
      {
        file: CTRLER,
        search: 'const groups = copyGroups(latest.groups);',
        replace: 'const groups = latest.groups;',
      },
    ],
  },
  // ---- 4B: the sharded key/value service ----
  {
    id: 'skv-skip-configs',
    rule: '[SK.1]',
    part: '4B',
    bug: 'a group jumps to the latest configuration, skipping those in between',
    edits: [
      {
        file: SHARDKV,
        search: 'const next = await this.#ctrler.query(num + 1);',
        replace: 'const next = await this.#ctrler.query(-1);',
      },
      {
        file: SHARDKV,
        search: 'if (next.num === num + 1 && !this.#dead) {',
        replace: 'if (next.num > num && !this.#dead) {',
      },
      {
        file: GROUP,
        search: 'if (next.num !== this.#config.num + 1 || !this.settled()) return;',
        replace: 'if (next.num <= this.#config.num || !this.settled()) return;',
      },
    ],
  },
  {
    id: 'skv-serve-handed-off',
    rule: '[SK.2]',
    part: '4B',
    bug: 'a group keeps answering for a shard it has handed off, until the new owner deletes it',
    edits: [
      {
        file: GROUP,
        search: "return state === 'Serving' || state === 'Erasing';",
        replace: "return state === 'Serving' || state === 'Erasing' || state === 'Offering';",
      },
    ],
  },
  {
    id: 'skv-serve-before-data',
    rule: '[SK.3]',
    part: '4B',
    bug: 'a gained shard is served at once, empty, without waiting for the previous owner’s data',
    edits: [
      {
        file: GROUP,
        search: "const state = was.shards[shard] === 0 ? 'Serving' : 'Pulling';",
        replace: "const state = 'Serving';",
      },
    ],
  },
  {
    id: 'skv-dedup-stays-behind',
    rule: '[SK.4]',
    part: '4B',
    bug: 'a moved shard arrives without its duplicate table, so a retried Append is applied twice',
    edits: [{ file: GROUP, search: 'lastSeq: { ...moved.lastSeq },', replace: 'lastSeq: {},' }],
  },
  {
    id: 'skv-config-outside-log',
    rule: '[SK.5]',
    part: '4B',
    bug: 'each replica takes the next configuration when it hears of it from the controller, not through the group’s log',
    edits: [
      {
        file: SHARDKV,
        search: 'await Promise.all([this.#poll(), this.#pullShards(),',
        replace: 'await Promise.all([this.#pullShards(),',
      },
      {
        file: SHARDKV,
        search: 'await sleep(POLL_MS);',
        replace: 'await this.#poll();\n      await sleep(POLL_MS);',
      },
      {
        file: SHARDKV,
        search: "await this.#rsm.submit({ kind: 'Config', config: next });",
        replace: "this.#machine.apply({ kind: 'Config', config: next });",
      },
    ],
  },
  {
    id: 'skv-keep-handed-off',
    rule: '[SK.6]',
    part: '4B',
    bug: '(challenge 1) a group never drops the shards it handed off, it only stops serving them',
    edits: [
      {
        file: GROUP,
        search: "if (this.#shards.get(shard)?.state === 'Offering') this.#shards.delete(shard);",
        // kept under a shard number no key maps to: never served, never blocking, but still in the snapshot
        replace:
          "{ const kept = this.#shards.get(shard); if (kept?.state === 'Offering') { this.#shards.delete(shard); this.#shards.set(1000 * op.num + shard, { ...kept, state: 'Serving' }); } }",
      },
    ],
  },
  {
    id: 'skv-block-while-moving',
    rule: '[SK.7]',
    part: '4B',
    bug: '(challenge 2) a group serves no request while any shard of its configuration change is missing',
    edits: [
      {
        file: GROUP,
        search: "return state === 'Serving' || state === 'Erasing';",
        replace: "return this.settled() && (state === 'Serving' || state === 'Erasing');",
      },
    ],
  },
  {
    id: 'up-to-date-one-short',
    rule: '[RV.2]',
    part: '2C',
    bug: 'a candidate whose log ends one entry short of the voter’s, in the same term, counts as up to date',
    edits: [
      {
        file: LOG,
        search: 'return lastLogIndex >= log.lastIndex;',
        replace: 'return lastLogIndex >= log.lastIndex - 1;',
      },
    ],
  },
  {
    id: 'candidacy-not-saved',
    rule: '[P.1]',
    part: '2C',
    bug: 'a candidate does not save its new term and its vote for itself',
    edits: [
      {
        file: RAFT,
        search: 'this.votedFor = this.me; // [C.1] vote for self\n    this.persist();',
        replace: 'this.votedFor = this.me; // [C.1] vote for self',
      },
    ],
  },
  {
    id: 'append-saved-with-commit',
    rule: '[P.1]',
    part: '2C',
    bug: 'a follower saves the entries it appends only when the same AppendEntries also moves its commitIndex',
    edits: [
      {
        file: AE,
        search: 'if (mergeEntries(rf, prevLogIndex, entries)) rf.persist();',
        replace:
          'const changed = mergeEntries(rf, prevLogIndex, entries);\n  if (changed && Math.min(args.leaderCommit, prevLogIndex + entries.length) > rf.commitIndex) rf.persist();',
      },
    ],
  },
  {
    id: 'votes-kept-across-elections',
    rule: '[C.2]',
    part: '2C',
    bug: 'a candidate whose election times out starts the next one without clearing the votes of the last (they are cleared only when it steps down)',
    edits: [
      {
        file: RAFT,
        search: "this.state = { role: 'candidate', votes: new Set([this.me]) };",
        replace:
          "this.state = { role: 'candidate', votes: this.state.role === 'candidate' ? this.state.votes : new Set([this.me]) };",
      },
    ],
  },
  // ---- only explore kills these: each passes every test of its part (20 seeds); a rare schedule that
  // `npm run mutants -- --explore <id>` (explore on a patched copy) finds and shrinks shows the bug. `npm run mutants` skips
  // them unless --only names them. ----
  {
    id: 'truncation-not-saved',
    rule: '[P.1]',
    part: '2C',
    bug: 'a follower that cuts a conflicting suffix and appends the leader’s entries does not save them (it saves only plain appends)',
    killedBy: 'explore',
    edits: [
      {
        file: AE,
        search: 'rf.log.truncateFrom(index);',
        replace:
          'rf.log.truncateFrom(index);\n      rf.log.append(...entries.slice(k));\n      return false;',
      },
    ],
  },
  {
    id: 'saved-only-when-log-grows',
    rule: '[P.1]',
    part: '2C',
    bug: 'a follower saves its log only when an AppendEntries made it longer (not when it replaced entries)',
    killedBy: 'explore',
    edits: [
      {
        file: AE,
        search: 'if (mergeEntries(rf, prevLogIndex, entries)) rf.persist();',
        replace:
          'const lengthBefore = rf.log.lastIndex;\n  if (mergeEntries(rf, prevLogIndex, entries) && rf.log.lastIndex > lengthBefore) rf.persist();',
      },
    ],
  },
  {
    id: 'heartbeat-term-not-saved',
    rule: '[P.1]',
    part: '2C',
    bug: 'a follower that learns a newer term from an AppendEntries takes it without saving it (it is saved when the follower next votes or appends)',
    killedBy: 'explore',
    edits: [
      {
        file: AE,
        search: 'rf.becomeFollower(args.term, `AppendEntries from leader S${args.leaderId}`);',
        replace:
          'rf.currentTerm = args.term;\n    rf.votedFor = null;\n    rf.becomeFollower(args.term, `AppendEntries from leader S${args.leaderId}`);',
      },
    ],
  },
  {
    id: 'refused-vote-term-not-saved',
    rule: '[P.1]',
    part: '2C',
    bug: 'a voter saves its state only when it grants a vote: the newer term of a RequestVote it refuses is not saved',
    killedBy: 'explore',
    edits: [
      {
        file: RV,
        search: 'rf.observeTerm(args.term, `RequestVote from S${args.candidateId}`);',
        replace:
          'if (args.term > rf.currentTerm) {\n    rf.currentTerm = args.term;\n    rf.votedFor = null;\n    rf.becomeFollower(args.term, `RequestVote from S${args.candidateId}`);\n  }',
      },
    ],
  },
  {
    id: 'term-saved-when-vote-cleared',
    rule: '[P.1]',
    part: '2C',
    bug: 'a server that moves to a newer term saves it only if that clears a vote (it saves when votedFor changes)',
    killedBy: 'explore',
    edits: [
      {
        file: RAFT,
        search: 'this.currentTerm = term;\n      this.votedFor = null;\n      this.persist();',
        replace:
          'const hadVote = this.votedFor !== null;\n      this.currentTerm = term;\n      this.votedFor = null;\n      if (hadVote) this.persist();',
      },
    ],
  },
];
