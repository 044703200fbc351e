// @title One person's OKRs across organisations
// @description Every objective and key result a person owns or collaborates on, in every
//   organisation okrsync mirrors into this database (Jira account ids are the same across
//   sites of one Atlassian account): the one question that crosses organisations.
// @param accountId string required the person's Jira account id, e.g. 557058:...
MATCH (u:User {accountId: $accountId})-[r:OWNS|COLLABORATES_ON]->(n)
WHERE u.okrsyncOrg IS NOT NULL AND n.okrsyncOrg = u.okrsyncOrg AND r.okrsyncOrg = u.okrsyncOrg
  AND (n:Objective OR n:KeyResult)
RETURN n.okrsyncOrg AS org, CASE WHEN n:Objective THEN 'Objective' ELSE 'KeyResult' END AS kind,
       n.key AS key, n.name AS name, type(r) AS role, n.status AS status,
       n.percentDone AS percentDone
ORDER BY org, kind DESC, key
