// @title Period summary
// @description Per period, how many objectives and key results carry each status
//   ("NONE" when there has been no check-in).
MATCH (n)-[:IN_PERIOD]->(p:Period {okrsyncOrg: $org})
WHERE (n:Objective OR n:KeyResult) AND n.okrsyncOrg = $org
WITH p, CASE WHEN n:Objective THEN 'Objective' ELSE 'KeyResult' END AS kind,
     coalesce(n.status, 'NONE') AS status, count(*) AS count
ORDER BY p.startDate, p.name, kind DESC, status
RETURN p.name AS period, kind, status, count
