// Reference (physical limit): plain CREATE of Period nodes into an empty database.
UNWIND $rows AS row
CREATE (n:Period)
SET n = row
