/**
 * labrpc over HTTP: the same `ClientEnd.call` contract and the same codec, on a real network.
 *
 *   const end = new HttpClientEnd('S0->S2', 'http://127.0.0.1:40123');
 *   const reply = await end.call<Args, Reply>('Raft.RequestVote', args);   // Reply, or null
 *   serveRpc(labrpcServer, { port: 40123 });     // the receiving side: a labrpc Server behind HTTP
 *
 * One RPC is one `POST /rpc/<Service.Method>` whose body is the codec's bytes of the arguments; a 200
 * answer carries the codec's bytes of the reply. As in labrpc, `call` never rejects: a refused
 * connection (the peer was SIGKILLed), a reset, a non-200 answer, a reply that does not decode, or no
 * answer within the timeout all resolve to null, and Raft or the Clerk simply tries again.
 *
 * HttpClientEnd extends ClientEnd so that Raft, KVServer and Clerk take it where they took a simulated
 * end, unchanged. Requests go through node:http with keep-alive connections (which msw intercepts in
 * faults.ts), not `fetch`: on a loaded two-core machine a fetch round trip cost about four times as much
 * CPU as http.request (measured: 23 ms against 6 ms per call at a load average of 12).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ClientEnd, Network, decode, encode, type Server } from '../labrpc';

export const RPC_PREFIX = '/rpc/';

/**
 * Longest wait for one reply. Raft's handlers answer at once; a KVServer answers within its commit
 * timeout (about half a second). Past this the peer is taken as unreachable, as labrpc's dead-server
 * check would: long enough not to give up on a slow but live server on a loaded machine.
 */
export const DEFAULT_CALL_TIMEOUT_MS = 3000;

/** One pool of keep-alive connections for every end of this process. */
const KEEP_ALIVE = new http.Agent({ keepAlive: true });

/** ClientEnd's constructor wants a Network; an HTTP end never uses it, so all of them share this one. */
const UNUSED_NETWORK = new Network();

export class HttpClientEnd extends ClientEnd {
  readonly baseUrl: string;
  readonly timeoutMs: number;

  constructor(name: string, baseUrl: string, timeoutMs = DEFAULT_CALL_TIMEOUT_MS) {
    super(name, UNUSED_NETWORK);
    this.baseUrl = baseUrl;
    this.timeoutMs = timeoutMs;
  }

  override call<Args, Reply>(svcMeth: string, args: Args): Promise<Reply | null> {
    // Encoded before the first await, as labrpc does: later changes by the caller are not sent.
    const body = encode(args, 'args');
    return this.#post<Reply>(svcMeth, body);
  }

  #post<Reply>(svcMeth: string, body: Uint8Array): Promise<Reply | null> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (reply: Reply | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(reply);
      };
      const request = http.request(
        `${this.baseUrl}${RPC_PREFIX}${svcMeth}`,
        {
          method: 'POST',
          agent: KEEP_ALIVE,
          headers: { 'content-type': 'application/octet-stream', 'content-length': body.length },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', () => settle(null));
          response.on('end', () => {
            if (response.statusCode !== 200) return settle(null);
            try {
              settle(decode<Reply>(new Uint8Array(Buffer.concat(chunks))));
            } catch {
              settle(null); // a reply that does not decode is no reply
            }
          });
        },
      );
      // Refused (the peer was SIGKILLed), reset, dropped by a fault: all mean "no reply".
      request.on('error', () => settle(null));
      const timer = setTimeout(() => {
        request.destroy();
        settle(null);
      }, this.timeoutMs);
      request.end(body);
    });
  }
}

/** Extra routes beside /rpc/ (the cluster's admin endpoints): return true if the request was handled. */
export type ExtraRoute = (
  request: http.IncomingMessage,
  body: Buffer,
  response: http.ServerResponse,
) => boolean | Promise<boolean>;

export interface ServeOptions {
  port: number;
  host?: string;
  extra?: ExtraRoute;
  /** Where to report a handler that threw (the caller sees only a failed call). */
  onError?: (message: string) => void;
}

/** Serve a labrpc Server over HTTP; resolves once listening. */
export async function serveRpc(server: Server, options: ServeOptions): Promise<http.Server> {
  const httpServer = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void route(server, options, request, Buffer.concat(chunks), response);
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, options.host ?? '127.0.0.1', () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  return httpServer;
}

async function route(
  server: Server,
  options: ServeOptions,
  request: http.IncomingMessage,
  body: Buffer,
  response: http.ServerResponse,
): Promise<void> {
  const url = request.url ?? '/';
  try {
    if (request.method === 'POST' && url.startsWith(RPC_PREFIX)) {
      const svcMeth = decodeURIComponent(url.slice(RPC_PREFIX.length));
      const reply = await server.dispatch(svcMeth, new Uint8Array(body.buffer, body.byteOffset, body.length));
      response.writeHead(200, { 'content-type': 'application/octet-stream' }).end(reply);
      return;
    }
    if (options.extra !== undefined && (await options.extra(request, body, response))) return;
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`no route for ${request.method} ${url}\n`);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    options.onError?.(`${request.method} ${url}: ${message}`);
    if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
    response.end(`${message}\n`);
  }
}

/** The port a listening server got (for port 0). */
export function portOf(httpServer: http.Server): number {
  return (httpServer.address() as AddressInfo).port;
}
