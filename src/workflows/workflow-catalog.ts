import type { CreatesDefinition, FieldDefinition, StepDefinition, WorkflowDefinition } from './workflow-definition.js';
import { parsePattern, variablesOf, type Pattern } from './workflow-pattern.js';

/** A step with its patterns parsed. */
export interface CompiledStep {
  definition: StepDefinition;
  fields: ReadonlyMap<string, FieldDefinition>;
  holds: Pattern[];
  creates: Array<{ pattern: Pattern; fullDefinition?: string }>;
}

export interface CompiledWorkflow {
  definition: WorkflowDefinition;
  steps: CompiledStep[];
  /** Every field the workflow defines (in any step), by name; a field's first definition. */
  fields: ReadonlyMap<string, FieldDefinition>;
}

export class WorkflowDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkflowDefinitionError';
  }
}

/**
 * The loaded workflow definitions, checked once: patterns parse, every field a
 * pattern, a `nameOf`, a `fullDefinition` or a `result` names exists, child
 * workflows exist, and every unnamed variable of a step is reachable from a field
 * or a uid. A bad table fails at load with a message naming what is wrong.
 */
export class WorkflowCatalog {
  private readonly workflows = new Map<string, CompiledWorkflow>();

  constructor(definitions: readonly WorkflowDefinition[]) {
    for (const definition of definitions) {
      if (this.workflows.has(definition.id))
        throw new WorkflowDefinitionError(`Workflow '${definition.id}' is defined twice`);
      this.workflows.set(definition.id, compile(definition));
    }
    for (const workflow of this.workflows.values()) {
      for (const step of workflow.steps) {
        for (const field of step.fields.values()) {
          for (const child of field.children ?? []) {
            if (!this.workflows.has(child)) {
              throw new WorkflowDefinitionError(
                `Workflow '${workflow.definition.id}', step '${step.definition.id}', field '${field.name}': unknown child workflow '${child}'`,
              );
            }
          }
        }
      }
    }
  }

  get(id: string): CompiledWorkflow | undefined {
    return this.workflows.get(id);
  }

  ids(): string[] {
    return [...this.workflows.keys()];
  }

  definitions(): WorkflowDefinition[] {
    return [...this.workflows.values()].map((w) => w.definition);
  }
}

function compile(definition: WorkflowDefinition): CompiledWorkflow {
  const where = `Workflow '${definition.id}'`;
  if (definition.steps.length === 0) throw new WorkflowDefinitionError(`${where} has no steps`);
  const fields = new Map<string, FieldDefinition>();
  const stepIds = new Set<string>();
  const steps = definition.steps.map((step): CompiledStep => {
    if (stepIds.has(step.id)) throw new WorkflowDefinitionError(`${where}: step '${step.id}' is defined twice`);
    stepIds.add(step.id);
    const own = new Map<string, FieldDefinition>();
    for (const field of step.fields) {
      if (own.has(field.name)) {
        throw new WorkflowDefinitionError(`${where}, step '${step.id}': field '${field.name}' is defined twice`);
      }
      own.set(field.name, field);
      if (!fields.has(field.name)) fields.set(field.name, field);
    }
    const parse = (text: string) => {
      try {
        return parsePattern(text);
      } catch (error) {
        throw new WorkflowDefinitionError(`${where}, step '${step.id}': ${(error as Error).message}`);
      }
    };
    const holds = (step.holds ?? []).map(parse);
    const creates = (step.creates ?? []).map((c: CreatesDefinition) => ({
      pattern: parse(c.pattern),
      ...(c.fullDefinition !== undefined ? { fullDefinition: c.fullDefinition } : {}),
    }));
    checkVariables(where, step.id, holds);
    for (const { pattern } of creates) {
      if (variablesOf(pattern).length > 0) {
        throw new WorkflowDefinitionError(
          `${where}, step '${step.id}': created fact '${pattern.text}' must not hold an unnamed variable`,
        );
      }
    }
    return { definition: step, fields: own, holds, creates };
  });
  for (const step of steps) {
    for (const field of step.fields.values()) {
      if (field.nameOf !== undefined && fields.get(field.nameOf)?.source !== 'text') {
        throw new WorkflowDefinitionError(
          `${where}, field '${field.name}': nameOf '${field.nameOf}' must be a text field of the workflow`,
        );
      }
      if (field.draft !== undefined) {
        const { name, supertype } = field.draft;
        if (!field.plain || fields.get(name)?.source !== 'text' || fields.get(supertype)?.source !== 'graph') {
          throw new WorkflowDefinitionError(
            `${where}, field '${field.name}': a drafted field is plain text drafted from a text field (name) and a graph field (supertype)`,
          );
        }
      }
      if ((field.nameOf !== undefined || field.plain) && field.source !== 'text') {
        throw new WorkflowDefinitionError(`${where}, field '${field.name}': nameOf and plain are for text fields`);
      }
    }
    for (const c of step.creates) {
      if (c.fullDefinition !== undefined && !fields.get(c.fullDefinition)?.plain) {
        throw new WorkflowDefinitionError(
          `${where}, step '${step.definition.id}': fullDefinition '${c.fullDefinition}' must be a plain text field`,
        );
      }
    }
  }
  const result = fields.get(definition.result);
  if (!result || result.source !== 'text' || result.plain || result.nameOf !== undefined) {
    throw new WorkflowDefinitionError(
      `${where}: result '${definition.result}' must be a text field naming a new entity`,
    );
  }
  return { definition, steps, fields };
}

/** Every unnamed variable must be bound by a pattern whose left term is a field or a uid (it is sought on the right). */
function checkVariables(where: string, step: string, holds: readonly Pattern[]): void {
  const bound = new Set<string>();
  let progress = true;
  while (progress) {
    progress = false;
    for (const p of holds) {
      const leftBound = p.left.kind !== 'variable' || bound.has(p.left.id);
      if (leftBound && p.right.kind === 'variable' && !bound.has(p.right.id)) {
        bound.add(p.right.id);
        progress = true;
      }
    }
  }
  for (const p of holds) {
    for (const v of variablesOf(p)) {
      if (!bound.has(v)) {
        throw new WorkflowDefinitionError(
          `${where}, step '${step}': variable ?${v} of '${p.text}' is never on the right of a pattern with a known left side`,
        );
      }
    }
  }
}
