/** The dashboard: the last 24 hours as charts (charts.tsx), counted over what the principal may see. */
import { Hono } from "hono";
import { visibleDomains } from "../../api/access";
import { type DashboardStats, findDashboardStats } from "../../store/dashboard-stats";
import { BarChart, HourlyChart, RateChart } from "../charts";
import type { WebEnv } from "../env";
import { render } from "../respond";

const DAY_MS = 24 * 3_600_000;

export function Dashboard(props: { stats: DashboardStats; now: number }) {
  const { stats } = props;
  return (
    <div class="charts">
      <HourlyChart rows={stats.inboundByHour} now={props.now} />
      <BarChart
        id="chart-deliveries"
        title="Deliveries by status (last 24 h)"
        rows={stats.deliveriesByStatus.map((r) => [r.status, r.count])}
        colorByLabel
      />
      <RateChart pass={stats.dmarc.pass} total={stats.dmarc.total} />
      <BarChart
        id="chart-rejects"
        title="Top reject reasons (last 24 h)"
        rows={stats.rejectReasons.map((r) => [r.reason, r.count])}
      />
    </div>
  );
}

export const dashboard = new Hono<WebEnv>().get("/", async (c) => {
  const now = Date.now();
  const access = c.get("principal")!.access!;
  const stats = await findDashboardStats(c.env.DB, { since: now - DAY_MS, domains: visibleDomains(access) });
  return render(c, "Dashboard", <Dashboard stats={stats} now={now} />, 200, "/admin");
});
