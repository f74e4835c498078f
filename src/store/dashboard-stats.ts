/**
 * Aggregates for the web dashboard: inbound per hour by decision, deliveries by status, the DMARC
 * pass rate and the top reject reasons, over one time window, optionally limited to some domains
 * (a domain token's dashboard counts only its own mail). `domains` null = every domain.
 */

export interface DashboardStats {
  /** [hour start ms, decision, count], oldest first. */
  inboundByHour: { hour: number; decision: string; count: number }[];
  deliveriesByStatus: { status: string; count: number }[];
  dmarc: { pass: number; total: number };
  rejectReasons: { reason: string; count: number }[];
}

const HOUR_MS = 3_600_000;

export async function findDashboardStats(
  db: D1Database,
  filter: { since: number; domains: string[] | null },
): Promise<DashboardStats> {
  const domains = filter.domains === null ? null : JSON.stringify(filter.domains);
  const inDomains = "(?2 IS NULL OR domain IN (SELECT value FROM json_each(?2)))";
  const [hours, statuses, dmarc, reasons] = await db.batch([
    db
      .prepare(
        `SELECT (received_at / ${HOUR_MS}) * ${HOUR_MS} AS hour, decision, COUNT(*) AS count FROM messages
          WHERE received_at >= ?1 AND ${inDomains} GROUP BY hour, decision ORDER BY hour`,
      )
      .bind(filter.since, domains),
    db
      .prepare(
        `SELECT status, COUNT(*) AS count FROM deliveries WHERE created_at >= ?1 AND ${inDomains}
          GROUP BY status ORDER BY count DESC`,
      )
      .bind(filter.since, domains),
    db
      .prepare(
        `SELECT COUNT(*) AS total,
            SUM(CASE WHEN json_extract(auth, '$.dmarc.result') = 'pass' THEN 1 ELSE 0 END) AS pass
          FROM messages WHERE received_at >= ?1 AND ${inDomains} AND auth IS NOT NULL`,
      )
      .bind(filter.since, domains),
    db
      .prepare(
        `SELECT COALESCE(reason, rule, 'unknown') AS reason, COUNT(*) AS count FROM messages
          WHERE received_at >= ?1 AND ${inDomains} AND decision = 'rejected'
          GROUP BY 1 ORDER BY count DESC LIMIT 5`,
      )
      .bind(filter.since, domains),
  ]);
  const totals = (dmarc?.results[0] ?? {}) as { total?: number; pass?: number | null };
  return {
    inboundByHour: (hours?.results ?? []) as DashboardStats["inboundByHour"],
    deliveriesByStatus: (statuses?.results ?? []) as DashboardStats["deliveriesByStatus"],
    dmarc: { pass: totals.pass ?? 0, total: totals.total ?? 0 },
    rejectReasons: (reasons?.results ?? []) as DashboardStats["rejectReasons"],
  };
}
