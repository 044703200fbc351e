// What the graph holds of this organisation's check-ins, for a reconcile's re-read of the feed:
// edits, deletions, and check-ins still waiting for their objective or key result.
MATCH (u:Update {okrsyncOrg: $org})
WHERE u.id IS NOT NULL
RETURN u.id AS id, u.entityId AS entityId, toString(u.created) AS created,
       EXISTS { (u)<-[:HAS_UPDATE {okrsyncOrg: $org}]-() } AS linked
