// Every mirrored node with its properties, for drift repair. Reads only.
MATCH (n)
WHERE n:Objective OR n:KeyResult OR n:Team OR n:Period OR n:Label OR n:Issue OR n:User
RETURN labels(n) AS labels, properties(n) AS props
