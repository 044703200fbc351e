// Set only the changed properties of Label nodes; a null value removes the property.
UNWIND $rows AS row
MATCH (n:Label {id: row.key})
SET n += row.props
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
