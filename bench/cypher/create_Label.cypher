// Reference (physical limit): plain CREATE of Label nodes into an empty database.
UNWIND $rows AS row
CREATE (n:Label)
SET n = row.props
