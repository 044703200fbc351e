// @title Re-scoped objectives
// @description Objectives renamed, moved under another parent, or whose deadline moved, in the
//   $days days before $asOf (from okrsync's change journal). Parents are shown by key.
// @param days integer 30 how many days back to look
// @param asOf instant null the end of the period looked at (unset: now)
WITH coalesce($asOf, datetime()) AS now
MATCH (c:Change {okrsyncOrg: $org, entityType: 'Objective'})
WHERE c.at > now - duration({days: $days}) AND c.at <= now
  AND c.field IN ['name', 'deadline', 'parent']
  // An objective created or deleted in that run got or lost its parent: that is no move.
  AND NOT EXISTS {
    MATCH (x:Change {okrsyncOrg: $org, entityId: c.entityId, at: c.at})
    WHERE x.kind IN ['created', 'deleted']
  }
  // A move is one row: its linked half, or an unlink alone (moved to the top of the tree).
  AND NOT (c.kind = 'unlinked' AND EXISTS {
    MATCH (:Change {okrsyncOrg: $org, entityId: c.entityId, field: 'parent', kind: 'linked', at: c.at})
  })
OPTIONAL MATCH (c)-[:ABOUT]->(o:Objective)
OPTIONAL MATCH (gone:Change {okrsyncOrg: $org, entityId: c.entityId, field: 'parent', kind: 'unlinked'})
WHERE c.kind = 'linked' AND gone.at = c.at
WITH c, o, coalesce(c.old, gone.old) AS old, c.new AS new,
     coalesce(c.oldKey, gone.oldKey) AS oldKey
OPTIONAL MATCH (was:Objective {okrsyncOrg: $org, id: old}) WHERE c.field = 'parent'
OPTIONAL MATCH (now:Objective {okrsyncOrg: $org, id: new}) WHERE c.field = 'parent'
// A parent deleted since is still named by the key the journal recorded.
RETURN c.entityId AS id, o.key AS key,
       CASE c.field WHEN 'parent' THEN 'reparented' WHEN 'name' THEN 'renamed'
            ELSE 'deadline moved' END AS change,
       coalesce(was.key, oldKey, old) AS old, coalesce(now.key, c.newKey, new) AS new,
       toString(c.at) AS at
ORDER BY c.at, key, change
