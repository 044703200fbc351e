// Reference (physical limit): plain CREATE of (User)-[:OWNS]->(KeyResult).
UNWIND $rows AS row
MATCH (a:User {accountId: row.from})
MATCH (b:KeyResult {id: row.to})
CREATE (a)-[:OWNS]->(b)
