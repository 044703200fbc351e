// Remove (Objective)-[:PARENT_OF]->(Objective) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:Objective {id: row.from})-[r:PARENT_OF]->(:Objective {id: row.to})
DELETE r
