import { ClarityError } from '../common/clarity-error.js';
import { ANYTHING } from '../gellish/gellish-uids.js';
import type { SemanticModel } from '../semantic/model-types.js';

/**
 * The prompt of an AI-drafted definition (spec §10), as plain code.
 *
 * The hierarchy is the supertype's specialization chain up to the root 730000
 * ("anything"), read from the semantic models (so it comes through the one cached
 * Archivist path of the engine: SemanticModelService → engine memo → ArchivistClient).
 *
 * Several supertypes: at each step the chain follows the entity's FIRST supertype — the
 * right object of its first specialization fact in fact order (`model.supertypes[0]`,
 * the oldest statement). One straight line from the root to the supertype reads as the
 * graph's own definitions do ("a B is an A that …") and keeps the prompt short; the
 * other branches are left out. The walk stops at 730000, at an entity without a
 * supertype, at a cycle, or after MAX_CHAIN_DEPTH steps.
 */

/** Most concepts between the supertype and the root that are put in a prompt. */
export const MAX_CHAIN_DEPTH = 64;

/** One concept of the chain: its name and the partial definition of its specialization fact. */
export interface ChainEntry {
  uid: number;
  name: string;
  /** The concept this one specializes (next entry of the chain); undefined for the top. */
  supertype?: { uid: number; name: string };
  /** Partial definition of the fact "<this> is a specialization of <supertype>" ("" when none). */
  partialDefinition: string;
}

/** What the walk needs of a model: the fields every kind model has. */
export type ChainModel = Pick<SemanticModel, 'uid' | 'name' | 'nature'> & {
  supertypes?: number[];
  definitions?: Array<{ fact_uid: number; partial_definition: string }>;
  facts?: Array<{
    fact_uid: number;
    lh_object_uid: number;
    rh_object_uid: number;
    partial_definition?: string;
  }>;
};

/**
 * The supertype's chain, the supertype first and the child of the root last (the root
 * itself has no specialization fact, so it has no line). `load` gives a model (NOT_FOUND
 * for an unknown uid); the first one must be a kind (or the root), else WRONG_NATURE.
 */
export async function specializationChain(
  supertypeUid: number,
  load: (uid: number) => Promise<ChainModel>,
): Promise<ChainEntry[]> {
  const first = await load(supertypeUid);
  if (first.nature !== 'kind' && first.nature !== 'anything') {
    const article = first.nature === 'individual' ? 'an' : 'a';
    throw new ClarityError(
      'WRONG_NATURE',
      `Entity with UID ${supertypeUid} is ${article} ${first.nature}, not a kind: only a kind can have subtypes`,
    );
  }
  const chain: ChainEntry[] = [];
  const seen = new Set<number>([first.uid]);
  let current = first;
  while (current.uid !== ANYTHING && chain.length < MAX_CHAIN_DEPTH) {
    const parentUid = current.supertypes?.[0];
    if (parentUid === undefined || seen.has(parentUid)) {
      chain.push({ uid: current.uid, name: current.name, partialDefinition: '' });
      return chain;
    }
    const parent = await load(parentUid);
    seen.add(parentUid);
    chain.push({
      uid: current.uid,
      name: current.name,
      supertype: { uid: parent.uid, name: parent.name },
      partialDefinition: partialDefinitionOf(current, parentUid),
    });
    current = parent;
  }
  // the root itself (or a kind at the depth limit) as the supertype: no line, only its name
  if (chain.length === 0) chain.push({ uid: first.uid, name: first.name, partialDefinition: '' });
  return chain;
}

/** The partial definition of the fact from `model` to `parentUid`; else the model's first one. */
function partialDefinitionOf(model: ChainModel, parentUid: number): string {
  const fact = model.facts?.find(
    (f) => f.lh_object_uid === model.uid && f.rh_object_uid === parentUid && f.partial_definition,
  );
  const text = fact?.partial_definition ?? model.definitions?.find((d) => d.partial_definition)?.partial_definition;
  return oneLine(text ?? '');
}

/** Newlines and runs of blanks become one space: one fact, one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `<concept> : is a specialization of : <supertype> :: <partial definition>` */
export function hierarchyLine(concept: string, supertype: string, partialDefinition: string): string {
  const line = `${oneLine(concept)} : is a specialization of : ${oneLine(supertype)} ::`;
  return partialDefinition ? `${line} ${oneLine(partialDefinition)}` : line;
}

/** The chain's lines from the top (the root's child) down to the supertype. */
export function hierarchyLines(chain: readonly ChainEntry[]): string[] {
  return chain
    .filter((entry) => entry.supertype !== undefined)
    .map((entry) => hierarchyLine(entry.name, entry.supertype!.name, entry.partialDefinition))
    .reverse();
}

export interface DefinitionPrompt {
  /** The instructions. */
  system: string;
  /** The hierarchy lines, then the new line to complete. */
  user: string;
  /** The hierarchy lines alone (top first). */
  lines: string[];
  /** The new, open line: `<name> : is a specialization of : <supertype> ::` */
  openLine: string;
}

export const SYSTEM_PROMPT = [
  'You write definitions for a Gellish knowledge graph of kinds of things.',
  'Each line states that a concept is a specialization of its supertype, followed after "::" by its partial',
  'definition: the words that distinguish the concept from its supertype, written so that',
  '"a <concept> is a <supertype> <partial definition>" reads as one sentence (they often start with "that", "with" or "for").',
  'Complete the last line in the same style: answer with its partial definition only — one sentence, no line',
  'prefix, no quotes, no explanation.',
].join(' ');

/** The messages for a new kind `name` below the first entry of `chain` (the supertype). */
export function buildDefinitionPrompt(chain: readonly ChainEntry[], name: string): DefinitionPrompt {
  const supertype = chain[0];
  if (!supertype) throw new Error('buildDefinitionPrompt: empty chain');
  const lines = hierarchyLines(chain);
  const openLine = hierarchyLine(name, supertype.name, '');
  return { system: SYSTEM_PROMPT, user: [...lines, openLine].join('\n'), lines, openLine };
}

/**
 * The draft as the model wrote it, tidied: surrounding quotes and a repeated line prefix
 * (`<name> : is a specialization of : <supertype> ::`) removed, whitespace collapsed.
 */
export function cleanDraft(text: string, openLine: string): string {
  let draft = oneLine(text);
  const prefix = openLine.trim();
  if (draft.startsWith(prefix)) draft = draft.slice(prefix.length).trim();
  else if (draft.startsWith('::')) draft = draft.slice(2).trim();
  const quoted = /^(["'`“])(.*)(["'`”])$/.exec(draft);
  if (quoted) draft = quoted[2]!.trim();
  return draft;
}
