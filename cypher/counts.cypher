// Node counts per mirrored label and relationship counts per mirrored type, all answered from
// Neo4j's count store: a cheap check, every cycle, that nobody wiped or pruned the mirror.
MATCH (n:Objective) RETURN 'Objective' AS name, count(n) AS count
UNION ALL MATCH (n:KeyResult) RETURN 'KeyResult' AS name, count(n) AS count
UNION ALL MATCH (n:Team) RETURN 'Team' AS name, count(n) AS count
UNION ALL MATCH (n:Period) RETURN 'Period' AS name, count(n) AS count
UNION ALL MATCH (n:Label) RETURN 'Label' AS name, count(n) AS count
UNION ALL MATCH (n:Issue) RETURN 'Issue' AS name, count(n) AS count
UNION ALL MATCH (n:User) RETURN 'User' AS name, count(n) AS count
UNION ALL MATCH ()-[r:PARENT_OF]->() RETURN 'PARENT_OF' AS name, count(r) AS count
UNION ALL MATCH ()-[r:HAS_KR]->() RETURN 'HAS_KR' AS name, count(r) AS count
UNION ALL MATCH ()-[r:IN_PERIOD]->() RETURN 'IN_PERIOD' AS name, count(r) AS count
UNION ALL MATCH ()-[r:BELONGS_TO]->() RETURN 'BELONGS_TO' AS name, count(r) AS count
UNION ALL MATCH ()-[r:HAS_LABEL]->() RETURN 'HAS_LABEL' AS name, count(r) AS count
UNION ALL MATCH ()-[r:TRACKS]->() RETURN 'TRACKS' AS name, count(r) AS count
UNION ALL MATCH ()-[r:OWNS]->() RETURN 'OWNS' AS name, count(r) AS count
UNION ALL MATCH ()-[r:COLLABORATES_ON]->() RETURN 'COLLABORATES_ON' AS name, count(r) AS count
