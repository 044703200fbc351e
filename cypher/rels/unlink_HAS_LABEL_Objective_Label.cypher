// Remove (Objective)-[:HAS_LABEL]->(Label) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:Objective {id: row.from})-[r:HAS_LABEL]->(:Label {id: row.to})
DELETE r
