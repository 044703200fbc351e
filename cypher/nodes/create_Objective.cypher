// First load into an empty graph: CREATE, as no Objective can exist yet to merge with.
UNWIND $rows AS row
CREATE (n:Objective)
SET n = row.props
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
