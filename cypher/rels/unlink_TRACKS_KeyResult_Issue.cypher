// Remove (KeyResult)-[:TRACKS]->(Issue) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:KeyResult {id: row.from})-[r:TRACKS]->(:Issue {id: row.to})
DELETE r
