// Every mirrored node with its properties, for drift repair. Reads only.
// DateTime values come apart, as text: the driver decodes DateTime values in pure Python
// (~100 us each; the 500k of a 100k-entity mirror took a minute).
MATCH (n)
WHERE n:Objective OR n:KeyResult OR n:Team OR n:Period OR n:Label OR n:Issue OR n:User
WITH n, [key IN keys(n) | [key, valueType(n[key]) STARTS WITH 'ZONED DATETIME']] AS keys
RETURN labels(n) AS labels,
       [k IN keys WHERE NOT k[1] | [k[0], n[k[0]]]] AS props,
       [k IN keys WHERE k[1] | [k[0], toString(n[k[0]])]] AS times
