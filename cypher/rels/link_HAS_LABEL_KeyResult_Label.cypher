// (KeyResult)-[:HAS_LABEL]->(Label); MERGE keeps a retried batch from duplicating the relationship.
UNWIND $rows AS row
MATCH (a:KeyResult {id: row.from})
MATCH (b:Label {id: row.to})
MERGE (a)-[:HAS_LABEL]->(b)
