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
 * reference at ~18 ms per operation, near the rate of Go's published 3A runs (~17 ms per op: 903 ops in
 * 15.5 s). The 7 ms include labrpc's own latency (LINK_LATENCY_MS, which every RPC pays), so this link adds
 * the rest. Server-to-server RPCs are untouched: Raft sees labrpc's network. The speed test subtracts this
 * link's latency (generic.ts), not labrpc's, which Go's bound covers as it covers real RPC time.
 */
import { ClientEnd, LINK_LATENCY_MS, deepCopy, sleep, type Network } from '../../labrpc';

/** One-way latency a client RPC adds to labrpc's own, in virtual ms: 7 ms in all. */
export const CLIENT_LINK_MS = 7 - LINK_LATENCY_MS;

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
