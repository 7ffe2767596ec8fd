/**
 * Server and Service: what sits at the receiving end of the simulated network.
 *
 * A Service is a named set of RPC handlers. `Service.of(receiver)` registers, as Go's labrpc does for
 * exported methods, every method whose name starts with a capital letter, under the receiver's class
 * name: a `Raft` object with a `RequestVote(args)` method answers `"Raft.RequestVote"`. A handler takes
 * the decoded arguments and returns the reply (or a promise of it); it never sees the caller's objects.
 *
 * A Server holds several services (a KV server registers both `KVServer` and `Raft`) and counts the
 * requests that actually reached it.
 */
import { decode, encode } from './codec';
import { LabrpcError, RpcHandlerError } from './errors';
import { freezeClass } from './freeze';

/** An RPC handler: decoded arguments in, a reply (possibly later) out. */
export type Handler = (args: never) => unknown;

export class Service {
  readonly name: string;
  readonly #handlers: ReadonlyMap<string, Handler>;

  /** A service from an explicit table of handlers. */
  constructor(name: string, handlers: Readonly<Record<string, Handler>>) {
    if (name === '' || name.includes('.')) {
      throw new LabrpcError(`Expected a service name without dots, got \`${name}\``);
    }
    this.name = name;
    this.#handlers = new Map(Object.entries(handlers));
  }

  /** A service from an object: every capitalised method is a handler; the class name is the service. */
  static of(receiver: object, name: string = receiver.constructor.name): Service {
    const handlers: Record<string, Handler> = {};
    for (let proto = Object.getPrototypeOf(receiver); proto && proto !== Object.prototype;) {
      for (const key of Object.getOwnPropertyNames(proto)) {
        const member: unknown = (receiver as Record<string, unknown>)[key];
        if (/^[A-Z]/.test(key) && typeof member === 'function' && !(key in handlers)) {
          handlers[key] = (member as (args: unknown) => unknown).bind(receiver) as Handler;
        }
      }
      proto = Object.getPrototypeOf(proto);
    }
    return new Service(name, handlers);
  }

  methodNames(): string[] {
    return [...this.#handlers.keys()];
  }

  handler(method: string): Handler | undefined {
    return this.#handlers.get(method);
  }
}

export class Server {
  readonly #services = new Map<string, Service>();
  /** Requests that reached this server's dispatch (not dropped, destination alive). */
  count = 0;

  addService(service: Service): void {
    this.#services.set(service.name, service);
  }

  /**
   * Run the handler for `svcMeth` ("Service.Method") on freshly decoded arguments and encode its reply.
   * Rejects with a LabrpcError naming the choices when the service or method does not exist.
   * `returned.now` is set when the handler returned (or threw) before dispatch returned its promise: the
   * network then knows the reply is settled within the current turn and needs no timer to watch for it.
   */
  async dispatch(svcMeth: string, argBytes: Uint8Array, returned?: { now: boolean }): Promise<Uint8Array> {
    this.count += 1;
    const dot = svcMeth.lastIndexOf('.');
    const serviceName = svcMeth.slice(0, dot);
    const methodName = svcMeth.slice(dot + 1);
    const service = this.#services.get(serviceName);
    if (service === undefined) {
      const known = [...this.#services.keys()].join(', ') || 'none';
      throw new LabrpcError(`unknown service "${serviceName}" in call "${svcMeth}"; services here: ${known}`);
    }
    const handler = service.handler(methodName);
    if (handler === undefined) {
      throw new LabrpcError(
        `unknown method "${methodName}" of service "${serviceName}"; methods: ${service.methodNames().join(', ')}`,
      );
    }
    // The reply is encoded the moment the handler returns it (a synchronous handler: before anything
    // else runs; an async one: as its promise settles), as Go encodes it when the handler returns. So a
    // change the handler makes to the reply object afterwards (from a timer or a queued microtask) never
    // reaches the caller.
    let reply: unknown;
    try {
      reply = (handler as (args: unknown) => unknown)(decode(argBytes));
      if (isThenable(reply)) reply = await reply;
      else if (returned !== undefined) returned.now = true;
    } catch (error) {
      if (returned !== undefined && !isThenable(reply)) returned.now = true;
      // The message stays free of stack traces (it goes into the run's trace, whose hash must not depend
      // on file paths); the stack travels as the cause and is printed with the failure.
      throw new RpcHandlerError(`handler ${svcMeth} threw: ${describe(error)}`, { cause: error });
    }
    return encode(reply ?? null, 'reply');
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

freezeClass(Server, Service); // see freeze.ts
