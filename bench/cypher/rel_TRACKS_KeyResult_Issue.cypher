// Reference (physical limit): plain CREATE of (KeyResult)-[:TRACKS]->(Issue).
UNWIND $rows AS row
MATCH (a:KeyResult {id: row.from})
MATCH (b:Issue {id: row.to})
CREATE (a)-[:TRACKS]->(b)
