// Remove (Objective)-[:BELONGS_TO]->(Team) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:Objective {id: row.from})-[r:BELONGS_TO]->(:Team {id: row.to})
DELETE r
