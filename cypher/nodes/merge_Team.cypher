// Create (or, after an interrupted cycle or drift, overwrite) Team nodes with all their properties.
UNWIND $rows AS row
MERGE (n:Team {id: row.key})
SET n = row.props
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
