// (Objective)-[:IN_PERIOD]->(Period); MERGE keeps a retried batch from duplicating the relationship.
UNWIND $rows AS row
MATCH (a:Objective {id: row.from})
MATCH (b:Period {id: row.to})
MERGE (a)-[:IN_PERIOD]->(b)
