// First load into an empty graph: CREATE, as no Label can exist yet to merge with.
UNWIND $rows AS row
CREATE (n:Label)
SET n = row.props
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
