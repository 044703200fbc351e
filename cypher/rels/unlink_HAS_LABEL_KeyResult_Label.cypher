// Remove (KeyResult)-[:HAS_LABEL]->(Label) relationships the source no longer has.
UNWIND $rows AS row
MATCH (:KeyResult {id: row.from})-[r:HAS_LABEL]->(:Label {id: row.to})
DELETE r
