// @title Objective tree of a period
// @description Every objective of the period with its child objectives and key results, in tree
//   order (parents first), with progress and status. `path` lists the keys from the top.
// @param period string "Q1 2026" the period's name
MATCH (o:Objective {okrsyncOrg: $org})-[:IN_PERIOD]->(:Period {okrsyncOrg: $org, name: $period})
CALL (o) {
  MATCH chain = (top:Objective)-[:PARENT_OF*0..]->(o)
  WHERE NOT EXISTS { MATCH (:Objective)-[:PARENT_OF]->(top) }
  RETURN [n IN nodes(chain) | n.key] AS keys
  ORDER BY length(chain) DESC
  LIMIT 1
}
CALL (o, keys) {
  RETURN 'Objective' AS kind, keys AS path, o AS node
  UNION
  MATCH (o)-[:HAS_KR]->(k:KeyResult)
  RETURN 'KeyResult' AS kind, keys + k.key AS path, k AS node
}
RETURN size(path) - 1 AS depth, kind, node.key AS key, node.name AS name,
       node.percentDone AS percentDone, node.status AS status,
       reduce(s = '', k IN path | s + CASE s WHEN '' THEN '' ELSE ' > ' END + k) AS path
ORDER BY path
