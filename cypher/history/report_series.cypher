// For `okrsync report`: each objective of a period with its journalled progress changes and
// its check-ins, in time order.
MATCH (o:Objective {okrsyncOrg: $org})-[:IN_PERIOD]->(p:Period {okrsyncOrg: $org, name: $period})
CALL (o) {
  OPTIONAL MATCH (c:Change {okrsyncOrg: $org, entityId: o.id, field: 'percentDone'})
  WITH c ORDER BY c.at
  RETURN collect(CASE WHEN c IS NULL THEN null
                 ELSE {at: toString(c.at), old: c.old, new: c.new} END) AS changes
}
CALL (o) {
  OPTIONAL MATCH (o)-[:HAS_UPDATE]->(u:Update)
  WITH u ORDER BY u.created
  RETURN collect(CASE WHEN u IS NULL THEN null
                 ELSE {at: toString(u.created), status: u.status} END) AS checkins
}
RETURN o.key AS key, o.name AS name, o.percentDone AS percentDone, o.status AS status,
       toString(p.startDate) AS start, toString(p.deadline) AS deadline, changes, checkins
ORDER BY key
