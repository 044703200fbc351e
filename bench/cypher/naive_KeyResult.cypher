// The naive way: one transaction per key result, MERGE the node and each relationship.
MERGE (o:KeyResult {okrsyncOrg: $org, id: $id})
SET o += $props, o.okrsyncOrg = $org
FOREACH (k IN keys($times) | SET o[k] = datetime($times[k]))
WITH o
CALL (o) { UNWIND $parents AS pid MERGE (p:Objective {okrsyncOrg: $org, id: pid}) MERGE (p)-[:HAS_KR {okrsyncOrg: $org}]->(o) }
CALL (o) { UNWIND $teams AS t MERGE (x:Team {okrsyncOrg: $org, id: t.id}) SET x += t, x.okrsyncOrg = $org MERGE (o)-[:BELONGS_TO {okrsyncOrg: $org}]->(x) }
CALL (o) { UNWIND $labels AS l MERGE (x:Label {okrsyncOrg: $org, id: l.id}) SET x += l, x.okrsyncOrg = $org MERGE (o)-[:HAS_LABEL {okrsyncOrg: $org}]->(x) }
CALL (o) { UNWIND $periods AS p MERGE (x:Period {okrsyncOrg: $org, id: p.props.id}) SET x += p.props, x.okrsyncOrg = $org FOREACH (k IN keys(p.times) | SET x[k] = datetime(p.times[k])) MERGE (o)-[:IN_PERIOD {okrsyncOrg: $org}]->(x) }
CALL (o) { UNWIND $owners AS u MERGE (x:User {okrsyncOrg: $org, accountId: u}) MERGE (x)-[:OWNS {okrsyncOrg: $org}]->(o) }
CALL (o) { UNWIND $collaborators AS u MERGE (x:User {okrsyncOrg: $org, accountId: u}) MERGE (x)-[:COLLABORATES_ON {okrsyncOrg: $org}]->(o) }
CALL (o) { UNWIND $issues AS i MERGE (x:Issue {okrsyncOrg: $org, id: i}) MERGE (o)-[:TRACKS {okrsyncOrg: $org}]->(x) }
