// Set only the changed properties of Period nodes; a null value removes the property.
UNWIND $rows AS row
MATCH (n:Period {id: row.key})
SET n += row.props
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
