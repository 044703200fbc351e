// @title Overdue
// @description Objectives and key results whose deadline has passed and that are not done
//   (below 100 % and not in a closing status).
// @param asOf instant null the moment to judge by (unset: now)
// @param doneStatuses list<string> ["SUCCESS", "FINISHED", "CANCELED", "FAILED", "MISSED_TARGET"] statuses that close an OKR
WITH coalesce($asOf, datetime()) AS now
MATCH (n)
WHERE (n:Objective OR n:KeyResult) AND n.okrsyncOrg = $org AND n.deadline < now
  AND coalesce(n.percentDone, 0.0) < 100 AND NOT coalesce(n.status, '') IN $doneStatuses
RETURN CASE WHEN n:Objective THEN 'Objective' ELSE 'KeyResult' END AS kind, n.key AS key,
       n.name AS name, toString(date(n.deadline)) AS deadline,
       duration.inDays(n.deadline, now).days AS daysOverdue, n.percentDone AS percentDone,
       n.status AS status
ORDER BY daysOverdue DESC, key
