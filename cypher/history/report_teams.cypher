// For `okrsync report`: per team, the period's objectives, their weight-aware average progress
// (as the library's team_progress) and their statuses; objectives of no team come last.
MATCH (o:Objective {okrsyncOrg: $org})-[:IN_PERIOD]->(:Period {okrsyncOrg: $org, name: $period})
OPTIONAL MATCH (o)-[:BELONGS_TO]->(t:Team {okrsyncOrg: $org})
WITH t, collect(o) AS objectives
WITH t, objectives,
     reduce(w = 0.0, o IN objectives | w + coalesce(o.weight, 1)) AS totalWeight,
     reduce(s = 0.0, o IN objectives | s + coalesce(o.weight, 1) * coalesce(o.percentDone, 0.0)) AS weighted
RETURN coalesce(t.name, t.id) AS team, size(objectives) AS objectives,
       round(CASE WHEN totalWeight > 0 THEN weighted / totalWeight
             ELSE reduce(s = 0.0, o IN objectives | s + coalesce(o.percentDone, 0.0)) / size(objectives)
             END, 1) AS progress,
       [o IN objectives | o.status] AS statuses
ORDER BY t IS NULL, team
