import type { Fact } from '../gellish/fact.js';
import type { Route } from './archivist-routes.js';
import { assignPermanentUids, parseNewFacts, validateNewFacts, type FactVerdict } from './fact-submission.js';
import { HttpError, readJsonBody } from './http-io.js';

/** What POST /fact/facts answers. */
export interface FactsAccepted {
  success: true;
  facts: Fact[];
  /** Temporary uid → the permanent uid it became (an addition to the platform's answer). */
  temporaryUids: Record<string, number>;
}

/**
 * POST /fact/facts and POST /validate/binaryFacts (spec §6). A submission is
 * checked as a whole; any refused fact answers 400 `{error, results}` (one
 * verdict per fact) and changes nothing. An accepted one is journaled as one line
 * (fsync'd) before the graph changes, so it is all or nothing across crashes too.
 */
export const FACT_SUBMISSION_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    path: '/fact/facts',
    counted: true,
    handler: async ({ store, journal, submissions, req }): Promise<FactsAccepted> => {
      const parsed = parseNewFacts(await readJsonBody(req));
      if (!parsed.ok) throw new HttpError(400, parsed.error);
      return submissions.queue.run(async () => {
        const verdicts = validateNewFacts(store, parsed.facts);
        const refused = verdicts
          .map((verdict, index) => ({ index, verdict }))
          .filter(({ verdict }) => !verdict.isValid);
        if (refused.length > 0) {
          const summary = refused.map(({ index, verdict }) => `fact ${index}: ${verdict.message}`).join('; ');
          throw new HttpError(400, `submission refused, nothing applied: ${summary}`, { results: verdicts });
        }
        const { facts, temporaryUids } = assignPermanentUids(store, parsed.facts, submissions.reserver);
        // Durable before visible: one journal line carries the facts and their reserved uids.
        await journal?.append({ kind: 'facts', facts });
        store.add(facts);
        return {
          success: true,
          facts: facts.map((fact) => ({ ...fact })),
          temporaryUids: Object.fromEntries([...temporaryUids].map(([temp, uid]) => [String(temp), uid])),
        };
      });
    },
  },
  {
    method: 'POST',
    path: '/validate/binaryFacts',
    counted: true,
    handler: async ({ store, req }): Promise<FactVerdict[]> => {
      const parsed = parseNewFacts(await readJsonBody(req));
      if (!parsed.ok) throw new HttpError(400, parsed.error);
      return validateNewFacts(store, parsed.facts);
    },
  },
];
