import { Category, RelationType } from '../gellish/gellish-uids.js';
import type { WorkflowDefinition } from './workflow-definition.js';

/**
 * The workflows of spec §9, as data: the table the WorkflowService loads (a
 * WorkflowCatalog checks it at start-up). Adding a workflow means adding an
 * entry here; the engine is not touched. Patterns are the platform's notation,
 * written with the Gellish uids of gellish-uids.ts.
 */

/** `<uid>.<phrase>`: a relation type in a pattern. */
const rel = (uid: number, phrase: string) => `${uid}.${phrase}`;
/** `<uid>.<name>`: a known entity in a pattern. */
const known = (uid: number, name: string) => `${uid}.${name}`;
const pattern = (left: string, relation: string, right: string) => `${left} > ${relation} > ${right}`;

const SPECIALIZATION = rel(RelationType.SPECIALIZATION, 'is a specialization of');
const QUALITATIVE_SUBTYPE = rel(RelationType.QUALIFICATION, 'is a qualitative subtype of');
const PHYSICAL_OBJECT = known(Category.PHYSICAL_OBJECT, 'physical object');
const ASPECT = known(Category.ASPECT, 'aspect');
const OCCURRENCE = known(Category.OCCURRENCE, 'occurrence');

export const WORKFLOW_DEFINITIONS: readonly WorkflowDefinition[] = [
  {
    id: 'new-physical-object',
    result: 'New Concept',
    steps: [
      {
        id: 'define-supertype-physical-object',
        required: true,
        fields: [
          { name: 'New Concept', source: 'text' },
          { name: 'Supertype Concept', source: 'graph' },
          {
            name: 'definition',
            source: 'text',
            plain: true,
            draft: { name: 'New Concept', supertype: 'Supertype Concept' },
          },
        ],
        holds: [pattern('?1.Supertype Concept', SPECIALIZATION, PHYSICAL_OBJECT)],
        creates: [
          {
            pattern: pattern('?2.New Concept', SPECIALIZATION, '?1.Supertype Concept'),
            fullDefinition: 'definition',
          },
        ],
      },
      {
        id: 'define-synonyms-codes-and-abbreviations',
        required: false,
        fields: [
          { name: 'Syn', source: 'text', nameOf: 'New Concept' },
          { name: 'Abbrv', source: 'text', nameOf: 'New Concept' },
          { name: 'Code', source: 'text', nameOf: 'New Concept' },
        ],
        creates: [
          { pattern: pattern('?2.Syn', rel(RelationType.SYNONYM, 'is a synonym of'), '?1.New Concept') },
          { pattern: pattern('?3.Abbrv', rel(RelationType.ABBREVIATION, 'is an abbreviation of'), '?1.New Concept') },
          { pattern: pattern('?4.Code', rel(RelationType.CODE, 'is a code for'), '?1.New Concept') },
        ],
      },
      {
        id: 'specify-distinguishing-qualitative-aspects',
        required: false,
        fields: [{ name: 'qualitative aspect', source: 'graph', children: ['new-qualitative-aspect'] }],
        holds: [pattern('?2', SPECIALIZATION, ASPECT), pattern('?3.qualitative aspect', QUALITATIVE_SUBTYPE, '?2')],
        creates: [
          {
            pattern: pattern(
              '?4.New Concept',
              rel(RelationType.BY_DEFINITION_QUALIFICATION, 'is by definition'),
              '?3.qualitative aspect',
            ),
          },
        ],
      },
      {
        id: 'define-qualitative-aspect',
        required: false,
        fields: [
          { name: 'qualitative aspect', source: 'text' },
          { name: 'Conceptual Aspect', source: 'graph', children: ['new-conceptual-aspect'] },
        ],
        holds: [pattern('?2.Conceptual Aspect', SPECIALIZATION, ASPECT)],
        creates: [{ pattern: pattern('?3.qualitative aspect', QUALITATIVE_SUBTYPE, '?2.Conceptual Aspect') }],
      },
      {
        id: 'specify-intended-function',
        required: false,
        fields: [{ name: 'Function', source: 'graph' }],
        holds: [pattern('?2.Function', SPECIALIZATION, OCCURRENCE)],
        creates: [
          {
            pattern: pattern(
              '?3.New Concept',
              rel(RelationType.INTENDED_FUNCTION, 'has by definition as intended function'),
              '?2.Function',
            ),
          },
        ],
      },
      {
        id: 'specify-defining-components-of-physical-object',
        required: false,
        fields: [{ name: 'Part Object', source: 'graph', children: ['new-physical-object'] }],
        holds: [pattern('?3.Part Object', SPECIALIZATION, PHYSICAL_OBJECT)],
        creates: [{ pattern: pattern('?3.Part Object', rel(RelationType.ASSEMBLY, 'is a part of'), '?2.New Concept') }],
      },
    ],
  },
  {
    id: 'new-qualitative-aspect',
    result: 'qualitative aspect',
    steps: [
      {
        id: 'define-qualitative-aspect',
        required: true,
        fields: [
          { name: 'qualitative aspect', source: 'text' },
          { name: 'Conceptual Aspect', source: 'graph', children: ['new-conceptual-aspect'] },
        ],
        holds: [pattern('?2.Conceptual Aspect', SPECIALIZATION, ASPECT)],
        creates: [{ pattern: pattern('?3.qualitative aspect', QUALITATIVE_SUBTYPE, '?2.Conceptual Aspect') }],
      },
    ],
  },
  {
    id: 'new-conceptual-aspect',
    result: 'Conceptual Aspect',
    steps: [
      {
        id: 'define-conceptual-aspect',
        required: true,
        fields: [
          { name: 'Conceptual Aspect', source: 'text' },
          { name: 'Supertype Concept', source: 'graph' },
        ],
        holds: [pattern('?1.Supertype Concept', SPECIALIZATION, ASPECT)],
        creates: [{ pattern: pattern('?2.Conceptual Aspect', SPECIALIZATION, '?1.Supertype Concept') }],
      },
    ],
  },
];
