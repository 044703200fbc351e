// Remove (User)-[:OWNS]->(KeyResult) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:User {accountId: row.from})-[r:OWNS]->(:KeyResult {id: row.to})
DELETE r
