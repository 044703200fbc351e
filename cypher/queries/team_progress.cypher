// @title Team progress in a period
// @description Per team, its objectives in the period and their weight-aware average percentDone
//   (weights as set in OKR for Jira; a team whose weights are all 0 gets the plain average).
// @param period string "Q1 2026" the period's name
MATCH (t:Team {okrsyncOrg: $org})<-[:BELONGS_TO]-(o:Objective {okrsyncOrg: $org})
      -[:IN_PERIOD]->(:Period {okrsyncOrg: $org, name: $period})
WITH t, collect(o) AS objectives
WITH t, objectives,
     reduce(w = 0.0, o IN objectives | w + coalesce(o.weight, 1)) AS totalWeight,
     reduce(s = 0.0, o IN objectives | s + coalesce(o.weight, 1) * coalesce(o.percentDone, 0.0)) AS weighted
RETURN t.name AS team, size(objectives) AS objectives,
       round(CASE WHEN totalWeight > 0 THEN weighted / totalWeight
             ELSE reduce(s = 0.0, o IN objectives | s + coalesce(o.percentDone, 0.0)) / size(objectives)
             END, 1) AS progress
ORDER BY team
