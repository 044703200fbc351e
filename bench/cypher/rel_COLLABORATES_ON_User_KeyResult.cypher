// Reference (physical limit): plain CREATE of (User)-[:COLLABORATES_ON]->(KeyResult).
UNWIND $rows AS row
MATCH (a:User {accountId: row.from})
MATCH (b:KeyResult {id: row.to})
CREATE (a)-[:COLLABORATES_ON]->(b)
