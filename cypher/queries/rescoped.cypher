// @title Re-scoped objectives
// @description Objectives renamed, moved under another parent, or whose deadline moved, in the
//   $days days before $asOf (from okrsync's change journal).
// @param days integer 30 how many days back to look
// @param asOf instant null the end of the period looked at (unset: now)
WITH coalesce($asOf, datetime()) AS now
MATCH (c:Change {okrsyncOrg: $org, entityType: 'Objective'})
WHERE c.at > now - duration({days: $days}) AND c.at <= now
  AND (c.field IN ['name', 'deadline'] OR (c.field = 'parent' AND c.kind = 'linked'))
OPTIONAL MATCH (c)-[:ABOUT]->(o:Objective)
OPTIONAL MATCH (gone:Change {okrsyncOrg: $org, entityId: c.entityId, field: 'parent', kind: 'unlinked'})
WHERE gone.at = c.at
RETURN c.entityId AS id, o.key AS key,
       CASE c.field WHEN 'parent' THEN 'reparented' WHEN 'name' THEN 'renamed'
            ELSE 'deadline moved' END AS change,
       coalesce(c.old, gone.old) AS old, c.new AS new, toString(c.at) AS at
ORDER BY c.at, key, change
