// @title Objectives without key results
// @description Objectives that have no key result of their own.
MATCH (o:Objective {okrsyncOrg: $org})
WHERE NOT EXISTS { MATCH (o)-[:HAS_KR]->(:KeyResult) }
OPTIONAL MATCH (o)-[:IN_PERIOD]->(p:Period)
RETURN o.key AS key, o.name AS name, p.name AS period,
       COUNT { (o)-[:PARENT_OF]->(:Objective) } AS childObjectives
ORDER BY key
