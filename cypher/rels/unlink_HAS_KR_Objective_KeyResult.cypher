// Remove (Objective)-[:HAS_KR]->(KeyResult) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:Objective {id: row.from})-[r:HAS_KR]->(:KeyResult {id: row.to})
DELETE r
