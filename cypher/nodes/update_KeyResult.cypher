// Set only the changed properties of KeyResult nodes; a null value removes the property.
UNWIND $rows AS row
MATCH (n:KeyResult {id: row.key})
SET n += row.props
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
