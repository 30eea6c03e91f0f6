/**
 * The platform's pattern notation (spec §9): `<term> > <rel uid>.<phrase> > <term>`,
 * a term being `?n.Field name` (a field), `?n` (an unnamed variable) or
 * `<uid>.<name>` / `<uid>` (a known entity).
 */

export type Term =
  | { kind: 'field'; name: string; text: string }
  | { kind: 'variable'; id: string; text: string }
  | { kind: 'entity'; uid: number; name: string; text: string };

export interface Pattern {
  text: string;
  left: Term;
  relation: { uid: number; phrase: string };
  right: Term;
}

export class PatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PatternError';
  }
}

const FIELD = /^\?(\d+)\.(.+)$/;
const VARIABLE = /^\?(\d+)$/;
const ENTITY = /^(\d+)(?:\.(.*))?$/;

function parseTerm(text: string, pattern: string): Term {
  const trimmed = text.trim();
  let m = FIELD.exec(trimmed);
  if (m) return { kind: 'field', name: m[2]!.trim(), text: trimmed };
  m = VARIABLE.exec(trimmed);
  if (m) return { kind: 'variable', id: m[1]!, text: trimmed };
  m = ENTITY.exec(trimmed);
  if (m) return { kind: 'entity', uid: Number(m[1]), name: (m[2] ?? '').trim(), text: trimmed };
  throw new PatternError(`Pattern '${pattern}': '${trimmed}' is neither ?n.Field, ?n nor a uid`);
}

export function parsePattern(text: string): Pattern {
  const parts = text.split(' > ');
  if (parts.length !== 3)
    throw new PatternError(`Pattern '${text}' must have the form <term> > <rel uid>.<phrase> > <term>`);
  const relation = ENTITY.exec(parts[1]!.trim());
  if (!relation) throw new PatternError(`Pattern '${text}': the relation must be <uid>.<phrase>`);
  return {
    text,
    left: parseTerm(parts[0]!, text),
    relation: { uid: Number(relation[1]), phrase: (relation[2] ?? '').trim() },
    right: parseTerm(parts[2]!, text),
  };
}

/** The field names a pattern refers to. */
export function fieldsOf(pattern: Pattern): string[] {
  return [pattern.left, pattern.right].flatMap((t) => (t.kind === 'field' ? [t.name] : []));
}

export function variablesOf(pattern: Pattern): string[] {
  return [pattern.left, pattern.right].flatMap((t) => (t.kind === 'variable' ? [t.id] : []));
}
