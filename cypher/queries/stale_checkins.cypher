// @title Stale check-ins
// @description Objectives and key results with no status update for $days days (or never).
// @param days integer 14 how many days without a check-in make it stale
// @param asOf instant null the moment to judge by (unset: now)
WITH coalesce($asOf, datetime()) AS now
MATCH (n)
WHERE (n:Objective OR n:KeyResult) AND n.okrsyncOrg = $org
  AND (n.statusUpdatedAt IS NULL OR n.statusUpdatedAt < now - duration({days: $days}))
RETURN CASE WHEN n:Objective THEN 'Objective' ELSE 'KeyResult' END AS kind, n.key AS key,
       n.name AS name, toString(date(n.statusUpdatedAt)) AS lastCheckIn,
       CASE WHEN n.statusUpdatedAt IS NULL THEN null
            ELSE duration.inDays(n.statusUpdatedAt, now).days END AS daysSince
ORDER BY daysSince IS NULL DESC, daysSince DESC, key
