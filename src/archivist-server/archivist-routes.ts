import type { IncomingMessage } from 'node:http';
import type { Fact } from '../gellish/fact.js';
import type { FactStore } from './fact-store.js';
import { MAX_RELATED_DEPTH } from './fact-store.js';
import { booleanParam, boundedIntParam, HttpError, readJsonBody, textParam, uidParam } from './http-io.js';
import type { RequestStats } from './request-stats.js';
import type { SubmissionJournal } from './submission-journal.js';
import { applySubmission, parseSubmission, type SubmissionKind } from './submissions.js';
import type { SubmissionQueue, UidReserver } from './fact-submission.js';
import { FACT_SUBMISSION_ROUTES } from './fact-submission-routes.js';

/** What a route handler sees. */
export interface RouteContext {
  store: FactStore;
  stats: RequestStats;
  journal: SubmissionJournal | undefined;
  /** POST /fact/facts: the uid reserver and the queue serialising submissions. */
  submissions: { reserver: UidReserver; queue: SubmissionQueue };
  query: URLSearchParams;
  req: IncomingMessage;
}

export type RouteHandler = (ctx: RouteContext) => unknown;

export interface Route {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  handler: RouteHandler;
  /** Whether the request counter counts it (the /stats endpoints do not count themselves). */
  counted: boolean;
}

/**
 * Optional parameters of /fact/allRelatedFacts that make it answer a page `{items, total}`;
 * `firstPageSize` (with `exclude`) adds `firstPage`, the first related facts of every kind;
 * `ancestors=true` (with `exclude`) adds `ancestors`, the uids a model of the entity is
 * built from besides its own facts (FactStore.ancestry), so that a client can read them
 * all at once instead of one level of supertypes after the other.
 */
const PAGING_PARAMS = ['limit', 'after', 'exclude', 'firstPageSize', 'ancestors'];
/** Largest page of /fact/allRelatedFacts (without limit, the structural facts are answered in full). */
const MAX_PAGE = 10_000;

/** `exclude=subtypes,instances` (the only accepted value, in any order): leave out the hub facts. */
function excludeParam(query: URLSearchParams): boolean {
  const text = query.get('exclude');
  if (text === null || text === '') return false;
  const parts = new Set(text.split(',').map((p) => p.trim()));
  if (parts.size !== 2 || !parts.has('subtypes') || !parts.has('instances')) {
    throw new HttpError(400, 'query parameter exclude must be "subtypes,instances"');
  }
  return true;
}

function known<T>(value: T | undefined, uid: number, what = 'Entity'): T {
  if (value === undefined) throw new HttpError(404, `${what} with UID ${uid} not found`);
  return value;
}

function submissionRoute(kind: SubmissionKind): Route {
  return {
    method: 'PUT',
    path: `/submission/${kind}`,
    counted: true,
    handler: async ({ store, journal, req }): Promise<Fact> => {
      const parsed = parseSubmission(kind, await readJsonBody(req));
      if (!parsed.ok) throw new HttpError(400, parsed.error);
      const { submission } = parsed;
      known(store.fact(submission.fact_uid), submission.fact_uid, 'Fact');
      // Durable before visible: journal first (fsync'd), then change the graph, then answer.
      await journal?.append(submission);
      return known(applySubmission(store, submission), submission.fact_uid, 'Fact');
    },
  };
}

/**
 * The endpoints of spec §6 plus /health and /stats. A type, category or fact
 * request for an unknown uid answers 404 `{error}`; list endpoints answer [] for
 * uids nothing is known about.
 */
export const ARCHIVIST_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/retrieveEntity/type',
    counted: true,
    handler: ({ store, query }) => {
      const uid = uidParam(query, 'uid');
      return known(store.nature(uid), uid);
    },
  },
  {
    method: 'GET',
    path: '/retrieveEntity/category',
    counted: true,
    handler: ({ store, query }) => {
      const uid = uidParam(query, 'uid');
      return known(store.category(uid), uid);
    },
  },
  {
    method: 'GET',
    path: '/fact/definitiveFacts',
    counted: true,
    handler: ({ store, query }) => store.definitiveFacts(uidParam(query, 'uid')),
  },
  {
    method: 'GET',
    path: '/fact/allRelatedFacts',
    counted: true,
    handler: ({ store, query }) => {
      const uid = uidParam(query, 'uid');
      const depth = boundedIntParam(query, 'depth', 1, MAX_RELATED_DEPTH);
      if (!PAGING_PARAMS.some((p) => query.has(p))) return store.allRelatedFacts(uid, depth);
      // Extension (not in the platform's Archivist): a page `{items, total}` of the depth-1 facts.
      if (depth !== 1) throw new HttpError(400, 'query parameters limit, after and exclude need depth=1');
      const structural = excludeParam(query);
      const page = store.relatedFactsPage(uid, {
        after: query.has('after') ? uidParam(query, 'after') : 0,
        limit: query.has('limit') || !structural ? boundedIntParam(query, 'limit', MAX_PAGE, MAX_PAGE) : undefined,
        structural,
      });
      const ancestors = booleanParam(query, 'ancestors', false);
      if (ancestors && !structural) throw new HttpError(400, 'query parameter ancestors needs exclude');
      const withAncestors = <T extends object>(answer: T) =>
        ancestors ? { ...answer, ancestors: store.ancestry(uid) } : answer;
      if (!query.has('firstPageSize')) return withAncestors(page);
      if (!structural) throw new HttpError(400, 'query parameter firstPageSize needs exclude');
      const firstPageSize = boundedIntParam(query, 'firstPageSize', MAX_PAGE, MAX_PAGE);
      // The structural facts are all of them: they are the first page already.
      if (page.items.length === page.total) return withAncestors(page);
      return withAncestors({ ...page, firstPage: store.relatedFactsPage(uid, { limit: firstPageSize }).items });
    },
  },
  {
    method: 'GET',
    path: '/fact/relatedOnUIDSubtypeCone',
    counted: true,
    handler: ({ store, query }) =>
      store.relatedOnSubtypeCone(uidParam(query, 'lh_object_uid'), uidParam(query, 'rel_type_uid')),
  },
  {
    method: 'GET',
    path: '/fact/subtypesCone',
    counted: true,
    handler: ({ store, query }) => store.subtypesCone(uidParam(query, 'uid')),
  },
  {
    method: 'GET',
    path: '/fact/classified',
    counted: true,
    handler: ({ store, query }) => store.classified(uidParam(query, 'uid')),
  },
  {
    method: 'GET',
    path: '/fact/fact',
    counted: true,
    handler: ({ store, query }) => {
      const uid = uidParam(query, 'uid');
      return known(store.fact(uid), uid, 'Fact');
    },
  },
  {
    method: 'GET',
    path: '/generalSearch/text',
    counted: true,
    handler: ({ store, query }) =>
      store.search(textParam(query, 'searchTerm'), booleanParam(query, 'exactMatch', false)),
  },
  submissionRoute('definition'),
  submissionRoute('name'),
  submissionRoute('collection'),
  ...FACT_SUBMISSION_ROUTES,
  {
    method: 'GET',
    path: '/health',
    counted: true,
    handler: ({ store }) => ({ status: 'ok', facts: store.size }),
  },
  { method: 'GET', path: '/stats', counted: false, handler: ({ stats }) => stats.snapshot() },
  {
    method: 'DELETE',
    path: '/stats',
    counted: false,
    handler: ({ stats }) => {
      stats.reset();
      return stats.snapshot();
    },
  },
];
