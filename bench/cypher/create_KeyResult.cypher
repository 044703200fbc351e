// Reference (physical limit): plain CREATE of KeyResult nodes into an empty database.
UNWIND $rows AS row
CREATE (n:KeyResult)
SET n = row
