// (User)-[:COLLABORATES_ON]->(KeyResult); MERGE keeps a retried batch from duplicating the relationship.
UNWIND $rows AS row
MATCH (a:User {accountId: row.from})
MATCH (b:KeyResult {id: row.to})
MERGE (a)-[:COLLABORATES_ON]->(b)
