// The naive way: one transaction per objective, MERGE the node and each relationship.
MERGE (o:Objective {id: $id})
SET o += $props
FOREACH (k IN keys($times) | SET o[k] = datetime($times[k]))
WITH o
CALL (o) { UNWIND $parents AS pid MERGE (p:Objective {id: pid}) MERGE (p)-[:PARENT_OF]->(o) }
CALL (o) { UNWIND $teams AS t MERGE (x:Team {id: t.id}) SET x += t MERGE (o)-[:BELONGS_TO]->(x) }
CALL (o) { UNWIND $labels AS l MERGE (x:Label {id: l.id}) SET x += l MERGE (o)-[:HAS_LABEL]->(x) }
CALL (o) { UNWIND $periods AS p MERGE (x:Period {id: p.props.id}) SET x += p.props FOREACH (k IN keys(p.times) | SET x[k] = datetime(p.times[k])) MERGE (o)-[:IN_PERIOD]->(x) }
CALL (o) { UNWIND $owners AS u MERGE (x:User {accountId: u}) MERGE (x)-[:OWNS]->(o) }
CALL (o) { UNWIND $collaborators AS u MERGE (x:User {accountId: u}) MERGE (x)-[:COLLABORATES_ON]->(o) }
