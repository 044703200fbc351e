// Reference (physical limit): plain CREATE of KeyResult nodes into an empty database.
// The instants as DateTime values, as okrsync stores them: converted by the server, each named.
UNWIND $rows AS row
CREATE (n:KeyResult)
SET n = row.props
SET n.created = datetime(row.times.created),
    n.startDate = datetime(row.times.startDate),
    n.deadline = datetime(row.times.deadline),
    n.expectedEndDate = datetime(row.times.expectedEndDate),
    n.statusUpdatedAt = datetime(row.times.statusUpdatedAt)
