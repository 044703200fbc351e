// Remove (User)-[:OWNS]->(Objective) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:User {accountId: row.from})-[r:OWNS]->(:Objective {id: row.to})
DELETE r
