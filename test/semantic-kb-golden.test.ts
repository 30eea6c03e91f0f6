import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SemanticModelEngine } from '../src/semantic/semantic-model-engine.js';
import { InMemoryFactSource } from '../src/semantic/testing/in-memory-fact-source.js';
import { kbPath, loadTable } from '../src/semantic/testing/tables.js';

/**
 * Golden models of the bundled knowledge base: one kind and one individual of every
 * category. Each entry below was checked against the facts of clarity-kb.csv (fact uids
 * 3,000,220 onwards): e.g. multistage centrifugal pump inherits "pump capacity" from
 * pump (fact 3,000,247) and "mass" from equipment item (3,000,248); the casing of P-101
 * is a component through fact 3,000,280, stated with the inverse phrase "has as part".
 */
const GOLDEN: Array<[number, unknown]> = [
  [2001003, {
  "1146": [
    2001002
  ],
  "1225": [],
  "1981": [],
  "1986": [],
  "4714": [],
  "4731": [],
  "4733": [],
  "uid": 2001003,
  "name": "multistage centrifugal pump",
  "nature": "kind",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [
    {
      "fact_uid": 3000228,
      "partial_definition": "with two or more impellers in series on one shaft.",
      "full_definition": "is a centrifugal pump with two or more impellers in series on one shaft."
    }
  ],
  "synonyms": [],
  "supertypes": [
    2001002
  ],
  "category": "physical object",
  "aspects": [
    {
      "uid": 2002004,
      "name": "temperature",
      "relation_uid": 4956,
      "fact_uid": 3000249
    },
    {
      "uid": 2002002,
      "name": "pump capacity",
      "relation_uid": 2069,
      "fact_uid": 3000247,
      "inherited": true,
      "from": 2001001
    },
    {
      "uid": 2002003,
      "name": "mass",
      "relation_uid": 2069,
      "fact_uid": 3000248,
      "inherited": true,
      "from": 2001000
    }
  ],
  "roles": [
    {
      "uid": 2003001,
      "name": "driven machine",
      "relation_uid": 4714,
      "fact_uid": 3000255,
      "inherited": true,
      "from": 2001001
    },
    {
      "uid": 4290,
      "name": "possessor of an aspect",
      "relation_uid": 4714,
      "fact_uid": 3000114,
      "inherited": true,
      "from": 730067
    }
  ],
  "components": [
    {
      "uid": 2001011,
      "name": "impeller",
      "relation_uid": 1191,
      "fact_uid": 3000250,
      "inherited": true,
      "from": 2001002
    },
    {
      "uid": 2001013,
      "name": "pump casing",
      "relation_uid": 1191,
      "fact_uid": 3000251,
      "inherited": true,
      "from": 2001002
    }
  ],
  "connections": [
    {
      "uid": 2001014,
      "name": "pipe line",
      "relation_uid": 1407,
      "fact_uid": 3000252,
      "inherited": true,
      "from": 2001001
    }
  ],
  "partOf": [],
  "unclassifiedFacts": []
}],
  [2100001, {
  "uid": 2100001,
  "name": "P-101",
  "nature": "individual",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [
    {
      "fact_uid": 3000266,
      "partial_definition": "that is the boiler feed water pump of unit 100.",
      "full_definition": "is a centrifugal pump that is the boiler feed water pump of unit 100."
    }
  ],
  "synonyms": [
    "boiler feed water pump A"
  ],
  "classifiers": [
    2001002
  ],
  "category": "physical object",
  "aspects": [
    {
      "uid": 2100005,
      "name": "capacity of P-101",
      "relation_uid": 1727,
      "fact_uid": 3000282
    },
    {
      "uid": 2100006,
      "name": "mass of P-101",
      "relation_uid": 1727,
      "fact_uid": 3000283
    }
  ],
  "roles": [
    {
      "uid": 2100008,
      "name": "P-101 as driven machine",
      "relation_uid": 4708,
      "fact_uid": 3000287
    }
  ],
  "components": [
    {
      "uid": 2100002,
      "name": "impeller of P-101",
      "relation_uid": 1190,
      "fact_uid": 3000279
    },
    {
      "uid": 2100003,
      "name": "casing of P-101",
      "relation_uid": 1190,
      "fact_uid": 3000280
    }
  ],
  "connections": [
    {
      "uid": 2100004,
      "name": "line 6\"-BFW-1001",
      "relation_uid": 1487,
      "fact_uid": 3000281
    }
  ],
  "partOf": [],
  "unclassifiedFacts": []
}],
  [2002002, {
  "1146": [
    2002001
  ],
  "1225": [],
  "1981": [
    "flow capacity"
  ],
  "1986": [],
  "4714": [],
  "4731": [],
  "4733": [],
  "uid": 2002002,
  "name": "pump capacity",
  "nature": "kind",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [
    {
      "fact_uid": 3000237,
      "partial_definition": "that a pump delivers at its rated point.",
      "full_definition": "is a volumetric flow rate that a pump delivers at its rated point."
    }
  ],
  "synonyms": [
    "flow capacity"
  ],
  "supertypes": [
    2002001
  ],
  "category": "aspect",
  "possessors": [
    {
      "uid": 2001001,
      "name": "pump",
      "relation_uid": 2069,
      "fact_uid": 3000247
    }
  ],
  "isQuantitative": true,
  "unitOfMeasure": {
    "uid": 2002901,
    "name": "m3/h",
    "inherited": true,
    "from": 2002001
  },
  "unclassifiedFacts": []
}],
  [2100005, {
  "uid": 2100005,
  "name": "capacity of P-101",
  "nature": "individual",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [],
  "synonyms": [],
  "classifiers": [
    2002002
  ],
  "category": "aspect",
  "possessors": [
    {
      "uid": 2100001,
      "name": "P-101",
      "relation_uid": 1727,
      "fact_uid": 3000282
    }
  ],
  "isQuantitative": true,
  "unitOfMeasure": {
    "uid": 2002901,
    "name": "m3/h"
  },
  "value": {
    "quant": 120,
    "uom": {
      "uid": 2002901,
      "name": "m3/h"
    }
  },
  "unclassifiedFacts": []
}],
  [2003001, {
  "1146": [
    160170
  ],
  "1225": [],
  "1981": [],
  "1986": [],
  "4714": [],
  "4731": [],
  "4733": [],
  "uid": 2003001,
  "name": "driven machine",
  "nature": "kind",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [
    {
      "fact_uid": 3000253,
      "partial_definition": "that is played by a machine that receives its mechanical power from a driver.",
      "full_definition": "is a role that is played by a machine that receives its mechanical power from a driver."
    }
  ],
  "synonyms": [],
  "supertypes": [
    160170
  ],
  "category": "role",
  "rolePlayers": [
    {
      "uid": 2001001,
      "name": "pump",
      "relation_uid": 4714,
      "fact_uid": 3000255
    }
  ],
  "requiredInRelations": [
    {
      "uid": 2004001,
      "name": "mechanical drive",
      "relation_uid": 4733,
      "fact_uid": 3000259,
      "role_position": 2
    }
  ],
  "unclassifiedFacts": []
}],
  [2100008, {
  "uid": 2100008,
  "name": "P-101 as driven machine",
  "nature": "individual",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [],
  "synonyms": [],
  "classifiers": [
    2003001
  ],
  "category": "role",
  "rolePlayers": [
    {
      "uid": 2100001,
      "name": "P-101",
      "relation_uid": 4708,
      "fact_uid": 3000287
    }
  ],
  "requiredInRelations": [
    {
      "uid": 2004001,
      "name": "mechanical drive",
      "relation_uid": 4733,
      "fact_uid": 3000259,
      "inherited": true,
      "from": 2003001,
      "role_position": 2
    }
  ],
  "unclassifiedFacts": []
}],
  [2004001, {
  "1146": [
    4658
  ],
  "1225": [],
  "1981": [
    "drives"
  ],
  "1986": [
    "is mechanically driven by"
  ],
  "4714": [],
  "4731": [
    2003002
  ],
  "4733": [
    2003001
  ],
  "uid": 2004001,
  "name": "mechanical drive",
  "nature": "kind",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [
    {
      "fact_uid": 3000257,
      "partial_definition": "in which a driver delivers mechanical power to a driven machine through a shaft or coupling.",
      "full_definition": "is a binary relation between individual things in which a driver delivers mechanical power to a driven machine through a shaft or coupling."
    }
  ],
  "synonyms": [
    "drives"
  ],
  "supertypes": [
    4658
  ],
  "category": "relation",
  "requiredRole1": {
    "uid": 2003002,
    "name": "driver",
    "relation_uid": 4731,
    "fact_uid": 3000258
  },
  "requiredRole2": {
    "uid": 2003001,
    "name": "driven machine",
    "relation_uid": 4733,
    "fact_uid": 3000259
  },
  "inverseRelation": {
    "uid": 2004001,
    "name": "is mechanically driven by"
  },
  "inverseNames": [
    "is mechanically driven by"
  ],
  "possibleRolePlayers": [
    {
      "uid": 2001010,
      "name": "electric motor",
      "relation_uid": 4714,
      "fact_uid": 3000256,
      "role_uid": 2003002,
      "role_position": 1
    },
    {
      "uid": 2001001,
      "name": "pump",
      "relation_uid": 4714,
      "fact_uid": 3000255,
      "role_uid": 2003001,
      "role_position": 2
    }
  ],
  "unclassifiedFacts": []
}],
  [2100010, {
  "uid": 2100010,
  "name": "drive of P-101 by M-101",
  "nature": "individual",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [
    {
      "fact_uid": 3000276,
      "partial_definition": "by which M-101 drives P-101 through a flexible coupling.",
      "full_definition": "is a mechanical drive by which M-101 drives P-101 through a flexible coupling."
    }
  ],
  "synonyms": [],
  "classifiers": [
    2004001
  ],
  "category": "relation",
  "requiredRole1": {
    "uid": 2003002,
    "name": "driver",
    "relation_uid": 4731,
    "fact_uid": 3000258,
    "inherited": true,
    "from": 2004001
  },
  "requiredRole2": {
    "uid": 2003001,
    "name": "driven machine",
    "relation_uid": 4733,
    "fact_uid": 3000259,
    "inherited": true,
    "from": 2004001
  },
  "inverseRelation": null,
  "inverseNames": [],
  "possibleRolePlayers": [
    {
      "uid": 2001010,
      "name": "electric motor",
      "relation_uid": 4714,
      "fact_uid": 3000256,
      "role_uid": 2003002,
      "role_position": 1
    },
    {
      "uid": 2001001,
      "name": "pump",
      "relation_uid": 4714,
      "fact_uid": 3000255,
      "role_uid": 2003001,
      "role_position": 2
    }
  ],
  "unclassifiedFacts": []
}],
  [2005002, {
  "1146": [
    2005001
  ],
  "1225": [],
  "1981": [],
  "1986": [],
  "4714": [],
  "4731": [],
  "4733": [],
  "uid": 2005002,
  "name": "pump commissioning",
  "nature": "kind",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [
    {
      "fact_uid": 3000263,
      "partial_definition": "of a pump, including a test run at its rated capacity.",
      "full_definition": "is a commissioning of a pump, including a test run at its rated capacity."
    }
  ],
  "synonyms": [],
  "supertypes": [
    2005001
  ],
  "category": "occurrence",
  "aspects": [
    {
      "uid": 2002004,
      "name": "temperature",
      "relation_uid": 2069,
      "fact_uid": 3000265,
      "inherited": true,
      "from": 2005001
    }
  ],
  "involved": [
    {
      "uid": 2001000,
      "name": "equipment item",
      "relation_uid": 4648,
      "fact_uid": 3000264,
      "inherited": true,
      "from": 2005001
    }
  ],
  "temporalAspects": {
    "beginTime": null,
    "endTime": null,
    "duration": null
  },
  "unclassifiedFacts": []
}],
  [2100011, {
  "uid": 2100011,
  "name": "commissioning of P-101",
  "nature": "individual",
  "collection": {
    "uid": 2000901,
    "name": "process plant equipment demonstration"
  },
  "definitions": [
    {
      "fact_uid": 3000277,
      "partial_definition": "that took place on 15 March 2024.",
      "full_definition": "is a pump commissioning that took place on 15 March 2024."
    }
  ],
  "synonyms": [],
  "classifiers": [
    2005002
  ],
  "category": "occurrence",
  "aspects": [
    {
      "uid": 2100012,
      "name": "ambient temperature at commissioning of P-101",
      "relation_uid": 1727,
      "fact_uid": 3000291
    }
  ],
  "involved": [
    {
      "uid": 2100001,
      "name": "P-101",
      "relation_uid": 5644,
      "fact_uid": 3000289
    },
    {
      "uid": 2100007,
      "name": "M-101",
      "relation_uid": 5644,
      "fact_uid": 3000290
    }
  ],
  "temporalAspects": {
    "beginTime": "2024-03-15T08:00:00Z",
    "endTime": "2024-03-15T16:30:00Z",
    "duration": "PT8H30M"
  },
  "unclassifiedFacts": []
}],];

describe('bundled knowledge base: golden models', () => {
  const facts = loadTable(kbPath());
  const engine = new SemanticModelEngine(new InMemoryFactSource(facts));

  for (const [uid, expected] of GOLDEN) {
    test(`model of ${uid}`, async () => {
      assert.deepStrictEqual(await engine.getModel(uid, { includeFacts: false }), expected);
    });
  }

  test('facts of a model are all facts with the entity on either side', async () => {
    const model = await engine.getModel(2100001);
    const expected = facts.filter((f) => f.lh_object_uid === 2100001 || f.rh_object_uid === 2100001);
    assert.equal(expected.length, 9);
    assert.deepStrictEqual(model.facts, expected);
  });

  test('fact uids of the knowledge base are unique', () => {
    const uids = facts.map((f) => f.fact_uid);
    assert.equal(new Set(uids).size, uids.length);
  });
});
