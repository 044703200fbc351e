// Remove (User)-[:COLLABORATES_ON]->(Objective) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:User {accountId: row.from})-[r:COLLABORATES_ON]->(:Objective {id: row.to})
DELETE r
