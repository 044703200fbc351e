// @title What is at risk
// @description Objectives and key results whose latest check-in status is one of $statuses, with
//   owner, teams and the chain of parent objectives up to the top.
// @param statuses list<string> ["AT_RISK", "ACTION_REQUIRED"] statuses that count as at risk (ACTION_REQUIRED is shown as "Off Track")
MATCH (n)
WHERE (n:Objective OR n:KeyResult) AND n.okrsyncOrg = $org AND n.status IN $statuses
OPTIONAL MATCH (owner:User {okrsyncOrg: $org})-[:OWNS]->(n)
CALL (n) {
  OPTIONAL MATCH (n)-[:BELONGS_TO]->(t:Team {okrsyncOrg: $org})
  RETURN collect(t.name) AS teams
}
CALL (n) {
  OPTIONAL MATCH chain = (top:Objective {okrsyncOrg: $org})-[:PARENT_OF|HAS_KR*1..]->(n)
  WHERE NOT EXISTS { MATCH (:Objective)-[:PARENT_OF]->(top) }
  WITH chain ORDER BY length(chain) DESC LIMIT 1
  RETURN [p IN nodes(chain)[..-1] | p.key] AS parents
}
RETURN CASE WHEN n:Objective THEN 'Objective' ELSE 'KeyResult' END AS kind, n.key AS key,
       n.name AS name, n.status AS status, owner.accountId AS owner, teams,
       coalesce(parents, []) AS parents
ORDER BY kind DESC, key
