/**
 * The shape of workflow definitions (spec §9): plain data, read by the engine.
 * A new workflow is a new entry of such data (see workflow-definitions.ts);
 * nothing in the engine names a workflow, a step or a field.
 *
 * Patterns use the platform's notation `<term> > <rel uid>.<phrase> > <term>`
 * where a term is `?n.Field name` (a field of the workflow), `?n` (an unnamed
 * variable, only in `holds`), or `<uid>.<name>` / `<uid>` (a known entity).
 */

/** One field of a step's form. */
export interface FieldDefinition {
  name: string;
  /**
   * `text`: a name typed by the user; the field stands for a new entity with a
   * temporary uid (1..100, spec §6) shared by every fact naming it.
   * `graph`: an existing entity, given by uid and checked against the graph.
   */
  source: 'text' | 'graph';
  /** Workflows that may be started (`clarity.workflow/branch`) to fill this field. */
  children?: string[];
  /**
   * Text only: another name of the entity of field `nameOf` (a synonym,
   * abbreviation or code): no new entity; its facts carry that field's uid under this name.
   */
  nameOf?: string;
  /** Text only: plain text (e.g. a definition), no entity and no temporary uid. */
  plain?: boolean;
  /**
   * Plain text only: the text may be drafted by AI (spec §10, `clarity.workflow/set`
   * with `draft: true`) for a new kind named by field `name` below the entity of graph field `supertype`.
   */
  draft?: { name: string; supertype: string };
  /** In a required step, a field that may stay empty. */
  optional?: boolean;
}

/** A fact a step creates: a pattern, optionally with the field whose text becomes the fact's full definition. */
export interface CreatesDefinition {
  pattern: string;
  fullDefinition?: string;
}

export interface StepDefinition {
  id: string;
  required: boolean;
  fields: FieldDefinition[];
  /** Patterns that must hold in the graph (checked when a field is set). */
  holds?: string[];
  creates?: CreatesDefinition[];
}

export interface WorkflowDefinition {
  id: string;
  /** The field naming what the workflow creates: a parent's field is filled with it on `pop`. */
  result: string;
  steps: StepDefinition[];
}
