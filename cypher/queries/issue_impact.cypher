// @title Issue impact
// @description For one Jira issue id: every key result that tracks it and the chain of
//   objectives above it, up to the top.
// @param issue string required the Jira issue id, e.g. 10001
MATCH (:Issue {okrsyncOrg: $org, id: $issue})<-[:TRACKS]-(k:KeyResult {okrsyncOrg: $org})
CALL (k) {
  OPTIONAL MATCH chain = (top:Objective {okrsyncOrg: $org})-[:PARENT_OF*0..]->(:Objective)-[:HAS_KR]->(k)
  WHERE NOT EXISTS { MATCH (:Objective)-[:PARENT_OF]->(top) }
  WITH chain ORDER BY length(chain) DESC LIMIT 1
  RETURN reverse([o IN nodes(chain)[..-1] | o.key]) AS objectives
}
RETURN k.key AS keyResult, k.name AS name, k.status AS status, coalesce(objectives, []) AS objectives
ORDER BY keyResult
