// Reference (physical limit): plain CREATE of Objective nodes into an empty database.
UNWIND $rows AS row
CREATE (n:Objective)
SET n = row
