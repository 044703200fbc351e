// Reference (physical limit): plain CREATE of Issue nodes into an empty database.
UNWIND $rows AS row
CREATE (n:Issue)
SET n = row.props
