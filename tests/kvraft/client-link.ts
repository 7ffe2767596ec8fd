/**
 * The link between a test client and the servers: a ClientEnd whose calls take CLIENT_LINK_MS longer in
 * each direction. Beyond Go, and why:
 *
 * Go's kv tests run in real time, where every operation costs real time: RPCs, goroutine switches, gob
 * encoding, and above all persisting a Raft log that, without snapshots, grows with every operation. So
 * a Go client manages ~60 ops/s (one client, 3A: 903 ops in 15.5 s). In virtual time all of that is free:
 * with the reference Raft an operation takes 1 ms (one timer tick), so a 5 s round would run thousands of
 * operations per client, and each one re-persists an ever longer log (quadratic work: one 3A test alone
 * took minutes). Worse, a Raft that commits without any timer (it replicates from start() itself) would
 * finish operations in zero virtual time, and the client loops would never let the clock advance.
 *
 * So client RPCs cross a link with a fixed latency, as a real client's would. 7 ms each way puts the
 * reference at ~15 ms per operation, the rate of Go's published 3A runs (~16 ms per op). Server-to-server
 * RPCs are untouched: Raft sees exactly Go's network. The speed test subtracts this latency (generic.ts).
 */
import { ClientEnd, deepCopy, sleep, type Network } from '../../labrpc';

/** One-way latency of every client RPC, in virtual ms. */
export const CLIENT_LINK_MS = 7;

export class ClientLinkEnd extends ClientEnd {
  /** Wrap the end `name`, which must already exist on `net` (net.makeEnd). */
  constructor(name: string, net: Network) {
    super(name, net);
  }

  override async call<Args, Reply>(svcMeth: string, args: Args): Promise<Reply | null> {
    const copy = deepCopy(args); // labrpc's contract: the caller may change args once call() returns
    await sleep(CLIENT_LINK_MS);
    const reply = await super.call<Args, Reply>(svcMeth, copy);
    await sleep(CLIENT_LINK_MS);
    return reply;
  }
}
