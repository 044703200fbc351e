// (KeyResult)-[:TRACKS]->(Issue); MERGE keeps a retried batch from duplicating the relationship.
UNWIND $rows AS row
MATCH (a:KeyResult {id: row.from})
MATCH (b:Issue {id: row.to})
MERGE (a)-[:TRACKS]->(b)
