// Remove (KeyResult)-[:BELONGS_TO]->(Team) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:KeyResult {id: row.from})-[r:BELONGS_TO]->(:Team {id: row.to})
DELETE r
