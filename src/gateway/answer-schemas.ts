/**
 * JSON Schemas (draft 7, as AsyncAPI 3 schemas) of what routes answer as the
 * `data` of their success envelope, for the AsyncAPI document (spec §3, §5, §8).
 * A route names one as its optional `answer`; a route without one is documented
 * with a `data` of any shape. Server-free: plain objects only.
 */
export type AnswerSchema = Record<string, unknown>;

const integer = { type: 'integer' };
const string = { type: 'string' };
const uidName = { type: 'object', required: ['uid', 'name'], properties: { uid: integer, name: string } };
const nullable = (schema: AnswerSchema): AnswerSchema => ({ anyOf: [schema, { type: 'null' }] });

const partEntry = {
  type: 'object',
  required: ['uid', 'name', 'relation_uid', 'fact_uid'],
  properties: {
    uid: integer,
    name: string,
    relation_uid: integer,
    fact_uid: integer,
    inherited: { const: true, description: 'Stated by a supertype or classifier' },
    from: { type: 'integer', description: 'The supertype or classifier that states it' },
  },
};
const partList = { type: 'array', items: partEntry };

/** A fact as the Archivist returns it (spec §6). */
export const FACT_SCHEMA: AnswerSchema = {
  type: 'object',
  required: ['fact_uid', 'lh_object_uid', 'lh_object_name', 'rel_type_uid', 'rel_type_name', 'rh_object_uid'],
  properties: {
    fact_uid: integer,
    lh_object_uid: integer,
    lh_object_name: string,
    rel_type_uid: integer,
    rel_type_name: string,
    rh_object_uid: integer,
    rh_object_name: string,
    partial_definition: string,
    full_definition: string,
    uom_uid: integer,
    uom_name: string,
    collection_uid: integer,
    collection_name: string,
    approval_status: string,
    effective_from: string,
    latest_update: string,
    author: string,
  },
};

/** The semantic model of spec §5 (src/semantic/model-types.ts): the common fields and each category's parts. */
export const SEMANTIC_MODEL_SCHEMA: AnswerSchema = {
  type: 'object',
  description:
    'Semantic model of an entity (spec §5): common fields, `supertypes` and the legacy numeric keys for kinds ' +
    '(`classifiers` for individuals), and the parts of its Quintessential category.',
  required: ['uid', 'name', 'nature', 'category', 'collection', 'definitions', 'synonyms', 'unclassifiedFacts'],
  properties: {
    uid: integer,
    name: string,
    nature: { enum: ['kind', 'individual', 'qualification', 'anything'] },
    category: { enum: ['physical object', 'aspect', 'role', 'relation', 'occurrence', 'anything'] },
    collection: nullable(uidName),
    definitions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['fact_uid', 'partial_definition', 'full_definition'],
        properties: { fact_uid: integer, partial_definition: string, full_definition: string },
      },
    },
    synonyms: { type: 'array', items: string },
    unclassifiedFacts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['fact_uid', 'rel_type_uid', 'rel_type_name', 'matched_part'],
        properties: { fact_uid: integer, rel_type_uid: integer, rel_type_name: string, matched_part: nullable(string) },
      },
    },
    facts: { type: 'array', items: FACT_SCHEMA, description: 'All related facts (unless includeFacts is false)' },
    warnings: { type: 'array', items: string },
    supertypes: { type: 'array', items: integer, description: 'Kinds only' },
    classifiers: { type: 'array', items: integer, description: 'Individuals only' },
    aspects: partList,
    roles: partList,
    components: partList,
    connections: partList,
    partOf: partList,
    intendedFunctions: partList,
    definingQualities: partList,
    possessors: partList,
    isQuantitative: { type: 'boolean' },
    unitOfMeasure: nullable(uidName),
    value: nullable({
      type: 'object',
      properties: { quant: { type: ['number', 'string'] }, uom: nullable(uidName) },
    }),
    rolePlayers: partList,
    requiredInRelations: { type: 'array', items: partEntry },
    requiredRole1: nullable(partEntry),
    requiredRole2: nullable(partEntry),
    inverseRelation: nullable(uidName),
    inverseNames: { type: 'array', items: string },
    possibleRolePlayers: { type: 'array', items: partEntry },
    involved: partList,
    temporalAspects: {
      type: 'object',
      properties: { beginTime: nullable(string), endTime: nullable(string), duration: nullable(string) },
    },
  },
};

export const MODEL_BATCH_SCHEMA: AnswerSchema = {
  type: 'array',
  description: 'The models in request order; an unknown uid gives null in its slot',
  items: nullable(SEMANTIC_MODEL_SCHEMA),
};

export const FACTS_SCHEMA: AnswerSchema = {
  type: 'array',
  description: 'The facts where the uid is the left or the right object',
  items: FACT_SCHEMA,
};

const timestamp = { type: 'string', format: 'date-time' };

export const SESSION_SCHEMA: AnswerSchema = {
  type: 'object',
  description: 'A modelling session of the caller',
  required: ['id', 'name', 'state', 'version', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    name: string,
    state: { type: 'object', description: "The client's JSON state" },
    version: { type: 'integer', minimum: 0, description: 'Pass it back to session/update (optimistic locking)' },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
};

export const SESSION_LIST_SCHEMA: AnswerSchema = {
  type: 'object',
  description: "A page of the caller's sessions, newest first (items carry `state` only with includeState)",
  required: ['items', 'total', 'nextCursor'],
  properties: {
    items: {
      type: 'array',
      items: { ...SESSION_SCHEMA, required: ['id', 'name', 'version', 'createdAt', 'updatedAt'] },
    },
    total: { type: 'integer', description: 'How many sessions the caller has' },
    nextCursor: { ...nullable(string), description: 'The cursor of the next page; null on the last page' },
  },
};

export const SESSION_DELETED_SCHEMA: AnswerSchema = {
  type: 'object',
  required: ['id', 'deleted'],
  properties: { id: { type: 'string', format: 'uuid' }, deleted: { const: true } },
};

export const HISTORY_SCHEMA: AnswerSchema = {
  type: 'array',
  description: "The entity's change-log entries (spec §8), newest first",
  items: {
    type: 'object',
    required: ['id', 'entityUid', 'factUid', 'field', 'oldValue', 'newValue', 'changedBy', 'changedAt'],
    properties: {
      id: integer,
      entityUid: integer,
      factUid: nullable(integer),
      field: { type: 'string', description: 'definition, name, collection…' },
      oldValue: {},
      newValue: {},
      changedBy: { type: 'string', description: 'The user (token sub)' },
      changedAt: timestamp,
    },
  },
};

export const SUBSCRIPTION_SCHEMA: AnswerSchema = {
  type: 'object',
  required: ['uid', 'subscribed'],
  properties: { uid: integer, subscribed: { type: 'boolean' } },
};

/** `change` of a `clarity.model/updated` event (src/semantic/model-update.service.ts ModelChange). */
export const MODEL_CHANGE_SCHEMA: AnswerSchema = {
  type: 'object',
  required: ['field', 'fact_uid', 'oldValue', 'newValue', 'changedBy', 'changedAt'],
  properties: {
    field: { enum: ['definition', 'name', 'collection', 'created'] },
    fact_uid: integer,
    oldValue: {},
    newValue: {},
    changedBy: string,
    changedAt: timestamp,
  },
};

/** A fact to submit: uids 1..100 are temporary (new entities), no fact uid yet (spec §6). */
const NEW_FACT_SCHEMA: AnswerSchema = {
  type: 'object',
  required: ['lh_object_uid', 'lh_object_name', 'rel_type_uid', 'rel_type_name', 'rh_object_uid', 'rh_object_name'],
  properties: {
    lh_object_uid: integer,
    lh_object_name: string,
    rel_type_uid: integer,
    rel_type_name: string,
    rh_object_uid: integer,
    rh_object_name: string,
    full_definition: string,
  },
};

const fieldValue = {
  type: 'object',
  required: ['name'],
  properties: {
    uid: {
      type: 'integer',
      description: 'An existing entity, or a temporary uid 1..100 of a new one; absent for plain text',
    },
    name: string,
  },
};

/** A step of a workflow definition (src/workflows/workflow-definition.ts). */
const STEP_SCHEMA: AnswerSchema = {
  type: 'object',
  required: ['id', 'required', 'fields'],
  properties: {
    id: string,
    required: { type: 'boolean' },
    fields: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'source'],
        properties: {
          name: string,
          source: { enum: ['text', 'graph'] },
          children: { type: 'array', items: string },
          nameOf: string,
          plain: { type: 'boolean' },
          draft: { type: 'object', properties: { name: string, supertype: string } },
          optional: { type: 'boolean' },
        },
      },
    },
    holds: { type: 'array', items: string, description: 'Patterns that must hold in the graph' },
    creates: {
      type: 'array',
      items: { type: 'object', required: ['pattern'], properties: { pattern: string, fullDefinition: string } },
    },
  },
};

/** `clarity.workflow/list` (spec §9). */
export const WORKFLOW_LIST_SCHEMA: AnswerSchema = {
  type: 'object',
  required: ['workflows'],
  properties: {
    workflows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'result', 'steps'],
        properties: { id: string, result: string, steps: { type: 'array', items: STEP_SCHEMA } },
      },
    },
  },
};

/** The state of a session's workflow (spec §9), answered by every `clarity.workflow/*` operation but list and finalize. */
export const WORKFLOW_STATE_SCHEMA: AnswerSchema = {
  type: 'object',
  required: ['workflowId', 'status', 'stepIndex', 'step', 'fields', 'tree', 'facts'],
  properties: {
    workflowId: string,
    status: { enum: ['in-progress', 'pending', 'completed', 'abandoned'] },
    stepIndex: integer,
    step: STEP_SCHEMA,
    fields: { type: 'object', additionalProperties: fieldValue, description: 'What the current workflow sees' },
    tree: {
      type: 'array',
      description: 'The open workflows, root first',
      items: {
        type: 'object',
        required: ['workflowId', 'stepIndex', 'step'],
        properties: { workflowId: string, stepIndex: integer, step: string, fills: string },
      },
    },
    facts: { type: 'array', items: NEW_FACT_SCHEMA, description: 'What finalize would submit now' },
  },
};

/** `clarity.workflow/finalize` (spec §9): the submitted facts and the new entities, with permanent uids. */
export const WORKFLOW_RESULT_SCHEMA: AnswerSchema = {
  type: 'object',
  required: ['facts', 'created'],
  properties: {
    facts: { type: 'array', items: FACT_SCHEMA },
    created: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'uid', 'name'],
        properties: { field: string, uid: integer, name: string },
      },
    },
  },
};
