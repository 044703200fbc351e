// Reference (physical limit): plain CREATE of Team nodes into an empty database.
UNWIND $rows AS row
CREATE (n:Team)
SET n = row.props
