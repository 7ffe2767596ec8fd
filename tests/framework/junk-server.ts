/**
 * JunkServer: the RPC service labrpc's own tests call, after the one in Go's labrpc tests. Each handler
 * records what it saw, so tests can count deliveries exactly.
 */
import { Network, Server, Service, sleep, type ClientEnd } from '../../labrpc';
import { traceNetwork, type LabContext } from '../harness';

export interface JunkArgs {
  x: number;
}
export interface JunkReply {
  x: string;
}

export class JunkServer {
  readonly log1: string[] = [];
  readonly log2: number[] = [];

  /** string → number: parses its argument. */
  Handler1(args: string): number {
    this.log1.push(args);
    return Number.parseInt(args, 10);
  }

  /** number → string. */
  Handler2(args: number): string {
    this.log2.push(args);
    return `handler2-${args}`;
  }

  /** Sleeps 20 s before answering: a handler that outlives its caller's patience. */
  async Handler3(args: number): Promise<number> {
    await sleep(20_000);
    return -args;
  }

  Handler4(_args: JunkArgs): JunkReply {
    return { x: 'pointer' };
  }

  Handler5(_args: JunkArgs): JunkReply {
    return { x: 'no pointer' };
  }

  /** string → its length. */
  Handler6(args: string): number {
    this.log2.push(args.length);
    return args.length;
  }

  /** n → a string of n "y"s. */
  Handler7(args: number): string {
    this.log2.push(args);
    return 'y'.repeat(args);
  }
}

export interface JunkSetup {
  net: Network;
  junk: JunkServer;
  server: Server;
  /** A new end, connected to server 99 and enabled. */
  end(name: string): ClientEnd;
}

/** A network with one JunkServer registered as server 99, its RPCs recorded in the run's trace. */
export function junkNetwork(ctx: LabContext): JunkSetup {
  const net = new Network();
  traceNetwork(ctx.trace, net, (end) => ({ from: end, to: 99 }));
  const junk = new JunkServer();
  const server = new Server();
  server.addService(Service.of(junk));
  net.addServer(99, server);
  return {
    net,
    junk,
    server,
    end(name) {
      const end = net.makeEnd(name);
      net.connect(name, 99);
      net.enable(name, true);
      return end;
    },
  };
}
