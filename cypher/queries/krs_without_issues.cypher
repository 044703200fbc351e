// @title Key results that track no Jira issue
// @description Key results with no linked Jira issue, with their objective.
MATCH (k:KeyResult {okrsyncOrg: $org})
WHERE NOT EXISTS { MATCH (k)-[:TRACKS]->(:Issue) }
OPTIONAL MATCH (o:Objective {okrsyncOrg: $org})-[:HAS_KR]->(k)
RETURN k.key AS key, k.name AS name, o.key AS objective, k.progressType AS progressType
ORDER BY key
