// @title Alignment across teams
// @description Child objectives that share no team with their parent objective: where one team's
//   goals hang under another team's.
MATCH (parent:Objective {okrsyncOrg: $org})-[:PARENT_OF]->(child:Objective {okrsyncOrg: $org})
WITH parent, child,
     COLLECT { MATCH (parent)-[:BELONGS_TO]->(t:Team) RETURN t.name ORDER BY t.name } AS parentTeams,
     COLLECT { MATCH (child)-[:BELONGS_TO]->(t:Team) RETURN t.name ORDER BY t.name } AS childTeams
WHERE size(parentTeams) > 0 AND size(childTeams) > 0
  AND none(t IN childTeams WHERE t IN parentTeams)
RETURN parent.key AS parent, parentTeams, child.key AS child, childTeams
ORDER BY parent, child
