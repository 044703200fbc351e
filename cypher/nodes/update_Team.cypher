// Set only the changed properties of Team nodes; a null value removes the property.
UNWIND $rows AS row
MATCH (n:Team {id: row.key})
SET n += row.props
FOREACH (k IN keys(row.times) | SET n[k] = datetime(row.times[k]))
