// Remove (User)-[:COLLABORATES_ON]->(KeyResult) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:User {accountId: row.from})-[r:COLLABORATES_ON]->(:KeyResult {id: row.to})
DELETE r
