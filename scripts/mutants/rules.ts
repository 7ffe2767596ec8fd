/**
 * The rule ids the catalog uses. Figure 2's and Figure 13's are the reference's own (raft/ names them
 * beside the code that carries them out); the persistence and KV ids are defined here, since the paper
 * gives those rules no box of their own. Each text is the rule in a line, in our words.
 */
export const RULES: Readonly<Record<string, string>> = {
  // Figure 2: Rules for All Servers, Followers, Candidates, Leaders
  '[All.1]': 'commitIndex > lastApplied: apply log[lastApplied + 1], in order',
  '[All.2]':
    'a request or reply with term T > currentTerm: set currentTerm = T (forgetting the vote), follow',
  '[F.2]':
    'no AppendEntries from the current leader and no vote granted for a (random) election timeout: campaign',
  '[C.1]':
    'on becoming candidate: increment currentTerm, vote for self, reset the election timer, ask everyone',
  '[C.2]': 'votes from a majority of servers, for this term: become leader',
  '[C.3]': 'AppendEntries from the new leader (of this term or later): become follower',
  '[C.4]': 'the election timeout elapses again: start a new election',
  '[L.1]':
    'on election and during idle periods: heartbeats to every server, often enough to prevent elections',
  '[L.2]': 'start(command): append to the local log; the index returned is where it will commit',
  '[L.3]':
    'send each follower the entries from its nextIndex; success: advance matchIndex/nextIndex; failure: back up',
  '[L.4]':
    'commit N when a majority has it and log[N].term == currentTerm (never an earlier term by counting)',
  // Figure 2: RequestVote and AppendEntries receivers
  '[RV.1]': 'RequestVote: reply false if term < currentTerm',
  '[RV.2]': 'grant only if votedFor is null or the candidate, and its log is at least as up-to-date (§5.4.1)',
  '[AE.1]': 'AppendEntries: reply false if term < currentTerm',
  '[AE.2]': 'reply false if the log has no entry at prevLogIndex with term prevLogTerm',
  '[AE.3]':
    'an existing entry conflicts with a new one (same index, other term): delete it and all that follow — only then',
  '[AE.4]': 'append any new entries not already in the log',
  '[AE.5]':
    'leaderCommit > commitIndex: commitIndex = min(leaderCommit, index of last new entry), after the checks',
  // Figure 13: InstallSnapshot receiver (whole snapshot in one RPC: [IS.2]–[IS.5] do not apply)
  '[IS.1]': 'InstallSnapshot: reply immediately if term < currentTerm',
  '[IS.6]': 'the log has the snapshot’s last entry: keep the entries after it',
  '[IS.7]': 'otherwise discard the entire log (the snapshot point, with its term, starts the log)',
  '[IS.8]': 'reset the state machine from the snapshot — only a snapshot newer than what was applied',
  // Figure 2's "Persistent state" box (ids defined here)
  '[P.1]':
    'currentTerm, votedFor and log[] reach stable storage before the RPC reply (or start()) that depends on them',
  '[P.2]': 'a restarted server reads back what it persisted (and its snapshot)',
  // §6 membership changes (2E; raft/membership.ts defines the ids)
  '[M.1]': 'a configuration takes effect as soon as its entry is in the log, committed or not',
  '[M.2]': 'during C_old,new every election and every commit needs a majority of C_old and one of C_new',
  '[M.3]': 'a change starts with C_old,new (never C_new directly), and only once the last change is final',
  '[M.4]': 'once C_old,new is committed, the leader appends C_new',
  '[M.5]': 'a leader outside C_new does not count itself there, and steps down once C_new is committed',
  '[M.6]': 'servers being added catch up as non-voting learners before C_old,new is appended',
  '[M.7]': 'a snapshot records (and InstallSnapshot carries) the configuration as of its last included index',
  '[M.8]':
    'a RequestVote from a candidate outside the configuration is ignored while a leader is heard from (thesis §4.2.3)',
  '[M.9]': 'only members start elections; a leader replicates to members and learners only',
  // The KV service (Lab 3; ids defined here)
  '[KV.1]': 'exactly once: a Put/Append is applied at most once per clientId + seq (a retry keeps its seq)',
  '[KV.2]': 'answer a request only once its op has been applied at the index start() returned',
  '[KV.3]': 'a waiting request gives up (ErrWrongLeader) when another op is applied at its index',
  '[KV.4]': 'reads go through the log too: a leader never answers Get from its own store alone',
  '[KV.5]': 'the snapshot holds the store and the duplicate table',
  '[KV.6]': 'a restarted server starts from its persisted snapshot',
  '[KV.7]': 'snapshot once the raft state reaches maxraftstate bytes',
  '[KV.8]': 'a snapshot that Raft delivers (InstallSnapshot) replaces the store',
  // The shard controller (Lab 4A; shardctrler/ names them beside the code)
  '[SC.1]': 'every replica computes the same configuration from the same log: rebalancing is deterministic',
  '[SC.2]': 'shards are divided as evenly as possible (max - min <= 1), moving as few as possible',
  '[SC.3]': 'a configuration, once made, never changes: a new one gets fresh copies of groups and shards',
  // The sharded KV service (Lab 4B; shardkv/ names them beside the code)
  '[SK.1]': 'configurations are taken one at a time, in order: N+1 only once N is complete',
  '[SK.2]': 'a group stops serving a shard at the point of its log where it takes the config that moves it',
  '[SK.3]': 'a gained shard is served only once the previous owner’s data has arrived',
  '[SK.4]': 'a shard’s duplicate table travels with its data',
  '[SK.5]': 'all replicas of a group switch configuration at the same point of their log',
  '[SK.6]': '(challenge 1) a group drops a shard’s data once the new owner has it',
  '[SK.7]':
    '(challenge 2) unaffected shards, and each shard as soon as it arrives, are served during a change',
};

/** Rule ids that raft/ names but no mutant can break: Figure 13's chunking fields, unused here. */
export const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  '[IS.2]': 'the whole snapshot travels in one RPC (no offset)',
  '[IS.3]': 'the whole snapshot travels in one RPC (no offset)',
  '[IS.4]': 'the whole snapshot travels in one RPC (no offset)',
  '[IS.5]': 'the whole snapshot travels in one RPC (no done flag)',
};
