import type { CategoryName } from '../gellish/fact.js';
import type { EntityView } from './entity-view.js';
import type {
  AspectParts,
  CategoryParts,
  OccurrenceParts,
  PhysicalObjectParts,
  RelationParts,
  RoleInRelation,
  RoleParts,
  RolePlayerEntry,
  UidName,
} from './model-types.js';
import { collectEntries, entryOf, leftObjects, nearestEntry, otherSide, rightObjects } from './part-entries.js';
import { isoDuration, parseQuant } from './quantities-and-times.js';

export interface PartsContext {
  self: EntityView;
  /** Ancestors nearest first (an individual's classifiers and their supertypes). */
  ancestors: EntityView[];
  /** True for kinds: list parts include what the supertypes state. */
  inherit: boolean;
  individual: boolean;
  /** Views of the relation's required roles (for possibleRolePlayers). */
  roleViews: Map<number, EntityView>;
}

export function buildCategoryParts(category: CategoryName, ctx: PartsContext): CategoryParts {
  switch (category) {
    case 'physical object':
      return physicalObjectParts(ctx);
    case 'aspect':
      return aspectParts(ctx);
    case 'role':
      return roleParts(ctx);
    case 'relation':
      return relationParts(ctx);
    case 'occurrence':
      return occurrenceParts(ctx);
    default:
      return { category: 'anything' };
  }
}

function physicalObjectParts({ self, ancestors, inherit }: PartsContext): PhysicalObjectParts {
  return {
    category: 'physical object',
    aspects: collectEntries(self, ancestors, inherit, rightObjects('aspect')),
    roles: collectEntries(self, ancestors, inherit, rightObjects('role')),
    components: collectEntries(self, ancestors, inherit, leftObjects('partWhole')),
    connections: collectEntries(self, ancestors, inherit, otherSide('connection')),
    partOf: collectEntries(self, ancestors, false, rightObjects('partWhole')),
    intendedFunctions: collectEntries(self, ancestors, inherit, rightObjects('intendedFunction')),
    definingQualities: collectEntries(self, ancestors, inherit, rightObjects('definingQualification')),
  };
}

function aspectParts({ self, ancestors, individual }: PartsContext): AspectParts {
  const valueFact = individual ? self.left('value')[0] : undefined;
  const value = valueFact
    ? {
        quant: parseQuant(valueFact.rhName),
        uom:
          valueFact.fact.uom_uid !== undefined
            ? { uid: valueFact.fact.uom_uid, name: valueFact.fact.uom_name ?? '' }
            : null,
      }
    : null;
  let unitOfMeasure: AspectParts['unitOfMeasure'] = value?.uom ?? null;
  if (!unitOfMeasure) {
    const scale = nearestEntry(self, ancestors, rightObjects('quantificationScale'));
    if (scale) {
      unitOfMeasure = { uid: scale.uid, name: scale.name };
      if (scale.inherited) Object.assign(unitOfMeasure, { inherited: true, from: scale.from });
    }
  }
  const parts: AspectParts = {
    category: 'aspect',
    possessors: collectEntries(self, ancestors, false, leftObjects('aspect')),
    isQuantitative: unitOfMeasure !== null || typeof value?.quant === 'number',
    unitOfMeasure,
  };
  if (individual) parts.value = value;
  return parts;
}

function requiredIn(view: EntityView, from?: number): RoleInRelation[] {
  const out: RoleInRelation[] = [];
  const seen = new Set<string>();
  for (const [part, pos] of [
    ['requiredRole1', 1],
    ['requiredRole2', 2],
  ] as const) {
    for (const c of view.right(part)) {
      const key = `${c.lh}/${pos}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...entryOf(c, 'lh', from), role_position: pos });
    }
  }
  return out;
}

function roleParts({ self, ancestors, individual }: PartsContext): RoleParts {
  let requiredInRelations = requiredIn(self);
  if (requiredInRelations.length === 0 && individual) {
    for (const a of ancestors) {
      requiredInRelations = requiredIn(a, a.uid);
      if (requiredInRelations.length > 0) break;
    }
  }
  return {
    category: 'role',
    rolePlayers: collectEntries(self, ancestors, false, leftObjects('role')),
    requiredInRelations,
  };
}

function relationParts({ self, ancestors, roleViews, individual }: PartsContext): RelationParts {
  const requiredRole1 = nearestEntry(self, ancestors, rightObjects('requiredRole1'));
  const requiredRole2 = nearestEntry(self, ancestors, rightObjects('requiredRole2'));
  const inverse = self.left('inverse');
  const inverseRelation: UidName | null = inverse[0] ? { uid: inverse[0].lh, name: inverse[0].lhName } : null;
  const possibleRolePlayers: RolePlayerEntry[] = [];
  const seen = new Set<string>();
  for (const [role, pos] of [
    [requiredRole1, 1],
    [requiredRole2, 2],
  ] as const) {
    const view = role ? roleViews.get(role.uid) : undefined;
    if (!role || !view) continue;
    // An individual that takes its required roles from a classifier takes their players too.
    const from = individual && role.inherited ? role.from : undefined;
    for (const c of view.right('role')) {
      const key = `${c.lh}/${pos}`;
      if (seen.has(key)) continue;
      seen.add(key);
      possibleRolePlayers.push({ ...entryOf(c, 'lh', from), role_uid: role.uid, role_position: pos });
    }
  }
  return {
    category: 'relation',
    requiredRole1,
    requiredRole2,
    inverseRelation,
    inverseNames: [...new Set(inverse.map((c) => c.lhName))],
    possibleRolePlayers,
  };
}

function occurrenceParts({ self, ancestors, inherit }: PartsContext): OccurrenceParts {
  const beginTime = self.left('beginTime')[0]?.rhName ?? null;
  const endTime = self.left('endTime')[0]?.rhName ?? null;
  return {
    category: 'occurrence',
    aspects: collectEntries(self, ancestors, inherit, rightObjects('aspect')),
    involved: collectEntries(self, ancestors, inherit, rightObjects('involvement')),
    temporalAspects: { beginTime, endTime, duration: isoDuration(beginTime, endTime) },
  };
}
