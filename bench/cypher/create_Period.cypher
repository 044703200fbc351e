// Reference (physical limit): plain CREATE of Period nodes into an empty database.
// The instants as DateTime values, as okrsync stores them: converted by the server, each named.
UNWIND $rows AS row
CREATE (n:Period)
SET n = row.props
SET n.startDate = datetime(row.times.startDate),
    n.deadline = datetime(row.times.deadline)
