import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Fact } from '../../src/gellish/fact.js';
import { RelationType } from '../../src/gellish/gellish-uids.js';

/** How the fake answers one request instead of the normal answer. */
export type Misbehaviour =
  | { status: number; body?: string } // e.g. 500, 503, 400
  | { delayMs: number } // answer normally, but late
  | { body: string; status?: number } // a garbage / wrong-shape body with 200
  | { reset: true }; // destroy the connection without answering

/**
 * A small Archivist-compatible HTTP server over facts in memory that can be
 * told to misbehave: one-shot misbehaviours (`failNext`), a persistent one
 * (`always`), a delay on every answer, and going down / coming back on the same
 * port. It counts the requests it receives per path.
 */
export class FakeArchivist {
  facts: Fact[];
  private readonly original: Fact[];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private queue: Misbehaviour[] = [];
  private persistent?: Misbehaviour;
  private counts = new Map<string, number>();
  port = 0;

  constructor(facts: Fact[]) {
    this.original = facts.map((f) => ({ ...f }));
    this.facts = facts.map((f) => ({ ...f }));
  }

  /** Back to the original facts, no misbehaviour, counts zeroed. */
  restore(): void {
    this.facts = this.original.map((f) => ({ ...f }));
    this.queue = [];
    this.persistent = undefined;
    this.resetCounts();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Requests received on `path` (all paths when omitted). */
  calls(path?: string): number {
    if (path) return this.counts.get(path) ?? 0;
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  resetCounts(): void {
    this.counts = new Map();
  }

  /** The next `times` requests misbehave this way. */
  failNext(times: number, how: Misbehaviour): void {
    for (let i = 0; i < times; i++) this.queue.push(how);
  }

  /** Every request misbehaves this way until `always(undefined)`. */
  always(how: Misbehaviour | undefined): void {
    this.persistent = how;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      void this.handle(req, res);
    });
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and drops every connection; `start()` brings it back on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    this.counts.set(url.pathname, (this.counts.get(url.pathname) ?? 0) + 1);
    const body = await readBody(req);
    const how = this.queue.shift() ?? this.persistent;
    if (how && 'reset' in how) {
      req.socket.destroy();
      return;
    }
    if (how && 'delayMs' in how) {
      // The wait ends early when the client gives up (so no timer outlives the test).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, how.delayMs);
        res.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (res.destroyed || req.socket.destroyed || res.writableEnded) return;
    } else if (how && 'body' in how && how.body !== undefined) {
      return send(res, how.status ?? 200, how.body);
    } else if (how && 'status' in how && how.status !== undefined) {
      return send(res, how.status, JSON.stringify({ error: `status ${how.status}` }));
    }
    const answer = this.answer(req.method ?? 'GET', url.pathname, url.searchParams, body);
    if (answer === undefined) return send(res, 404, JSON.stringify({ error: 'not found' }));
    send(res, 200, JSON.stringify(answer));
  }

  private answer(method: string, path: string, q: URLSearchParams, body: string): unknown {
    const uid = Number(q.get('uid'));
    const about = (u: number) => this.facts.filter((f) => f.lh_object_uid === u || f.rh_object_uid === u);
    const definitive = (u: number) =>
      this.facts.filter(
        (f) =>
          f.lh_object_uid === u &&
          [RelationType.SPECIALIZATION, RelationType.QUALIFICATION, RelationType.CLASSIFICATION].includes(
            f.rel_type_uid as 1146,
          ),
      );
    const found = (list: Fact[]) => (list.length > 0 ? list : undefined);
    if (method === 'GET') {
      switch (path) {
        case '/fact/allRelatedFacts':
          return found(about(uid));
        case '/fact/definitiveFacts':
          return found(definitive(uid));
        case '/fact/classified':
          return this.facts.filter((f) => f.rel_type_uid === RelationType.CLASSIFICATION && f.rh_object_uid === uid);
        case '/fact/subtypesCone':
          return this.facts.filter((f) => f.rel_type_uid === RelationType.SPECIALIZATION && f.rh_object_uid === uid);
        case '/fact/relatedOnUIDSubtypeCone':
          return this.facts.filter(
            (f) =>
              f.lh_object_uid === Number(q.get('lh_object_uid')) && f.rel_type_uid === Number(q.get('rel_type_uid')),
          );
        case '/fact/fact':
          return this.facts.find((f) => f.fact_uid === uid);
        case '/retrieveEntity/type': {
          const facts = definitive(uid);
          if (facts.length === 0) return about(uid).length > 0 ? 'anything' : undefined;
          return facts[0].rel_type_uid === RelationType.CLASSIFICATION ? 'individual' : 'kind';
        }
        case '/retrieveEntity/category':
          return about(uid).length > 0 ? { category: 'physical object' } : undefined;
        case '/generalSearch/text': {
          const term = (q.get('searchTerm') ?? '').toLowerCase();
          const exact = q.get('exactMatch') === 'true';
          return this.facts.filter((f) =>
            exact ? f.lh_object_name.toLowerCase() === term : f.lh_object_name.toLowerCase().includes(term),
          );
        }
      }
    }
    if (method === 'PUT' && path.startsWith('/submission/')) {
      const input = JSON.parse(body) as Record<string, unknown>;
      const fact = this.facts.find((f) => f.fact_uid === input.fact_uid);
      if (!fact) return undefined;
      if (path === '/submission/name') fact.lh_object_name = String(input.name);
      if (path === '/submission/definition') {
        fact.partial_definition = String(input.partial_definition);
        fact.full_definition = String(input.full_definition);
      }
      if (path === '/submission/collection') {
        fact.collection_uid = Number(input.collection_uid);
        fact.collection_name = String(input.collection_name);
      }
      return fact;
    }
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', () => resolve(data));
  });
}

/** A few facts of a made-up domain (uids of the test domain, not Gellish uids). */
export function sampleFacts(): Fact[] {
  const fact = (
    fact_uid: number,
    lh: [number, string],
    rel: [number, string],
    rh: [number, string],
    extra: Partial<Fact> = {},
  ): Fact => ({
    fact_uid,
    lh_object_uid: lh[0],
    lh_object_name: lh[1],
    rel_type_uid: rel[0],
    rel_type_name: rel[1],
    rh_object_uid: rh[0],
    rh_object_name: rh[1],
    ...extra,
  });
  const spec: [number, string] = [RelationType.SPECIALIZATION, 'is a specialization of'];
  const classification: [number, string] = [RelationType.CLASSIFICATION, 'is classified as a'];
  const partOf: [number, string] = [RelationType.ASSEMBLY, 'is a part of'];
  return [
    fact(9100001, [9000001, 'pump'], spec, [9000000, 'machine'], { partial_definition: 'that moves fluids.' }),
    fact(9100002, [9000002, 'centrifugal pump'], spec, [9000001, 'pump']),
    fact(9100003, [9000010, 'P-101'], classification, [9000002, 'centrifugal pump']),
    fact(9100004, [9000011, 'impeller of P-101'], partOf, [9000010, 'P-101']),
  ];
}
