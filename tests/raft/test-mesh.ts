/**
 * For the tester's own unit tests (cluster watch, invariant monitor): serve each scripted peer on the
 * network as server j, reachable from every server i through an enabled end named `${i}-${j}`.
 */
import { Server, Service, type ClientEnd, type Network } from '../../labrpc';

export function meshOf(
  net: Network,
  peers: readonly object[],
  ends: Map<string, ClientEnd>,
  owner: Map<string, { from: number; to: number }>,
): void {
  const n = peers.length;
  for (let j = 0; j < n; j++) {
    const server = new Server();
    server.addService(Service.of(peers[j], 'Raft'));
    net.addServer(j, server);
    for (let i = 0; i < n; i++) {
      const name = `${i}-${j}`;
      ends.set(name, net.makeEnd(name));
      net.connect(name, j);
      net.enable(name, true);
      owner.set(name, { from: i, to: j });
    }
  }
}
