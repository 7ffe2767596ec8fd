/**
 * Part 2C, beyond Go: persistence scripted with crashes at exact instants, so that a peer saving its
 * state too late fails on every seed.
 */
import { raftTest } from './config';
import { voteOncePerTerm } from './vote-once';

export const tests = [
  // A vote saved after its reply has left is lost by a crash at that instant; the restarted voter then
  // votes again in the same term. The Go tests crash servers only between steps, so they rarely see it.
  raftTest({
    part: '2C',
    title: 'a vote survives a crash at the instant its reply leaves, scripted',
    servers: 3,
    body: (cfg) => voteOncePerTerm(cfg, true),
  }),
];
