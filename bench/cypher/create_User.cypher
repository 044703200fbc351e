// Reference (physical limit): plain CREATE of User nodes into an empty database.
UNWIND $rows AS row
CREATE (n:User)
SET n = row.props
