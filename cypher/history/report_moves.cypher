// For `okrsync report`: the relationship changes (parent, team, label, period, owner, ...) of the
// period's objectives and key results in the $days days before $asOf, each far end with the key
// and name the journal recorded. What an entity got when it was created, or lost when deleted,
// is no move.
MATCH (p:Period {okrsyncOrg: $org, name: $period})
MATCH (c:Change {okrsyncOrg: $org})
WHERE c.kind IN ['linked', 'unlinked']
  AND c.at > $asOf - duration({days: $days}) AND c.at <= $asOf
  AND NOT EXISTS {
    MATCH (x:Change {okrsyncOrg: $org, entityId: c.entityId, at: c.at})
    WHERE x.kind IN ['created', 'deleted']
  }
OPTIONAL MATCH (c)-[:ABOUT]->(e)
WITH p, c, e
WHERE (e IS NOT NULL AND EXISTS { MATCH (e)-[:IN_PERIOD]->(p) })
   OR (c.field = 'period' AND p.id IN [c.old, c.new])
RETURN c.entityType AS type, c.entityId AS id, e.key AS key, e.name AS name,
       c.field AS field, c.kind AS kind, c.old AS old, c.oldKey AS oldKey,
       c.oldName AS oldName, c.new AS new, c.newKey AS newKey, c.newName AS newName,
       toString(c.at) AS at
ORDER BY c.at, key, id, field, kind, old, new
