/** Sweep: each domain's DMARC and TLS report retention (report_retention_days). */
import { deleteExpiredReports } from "../store/reports";
import type { Sweep } from "./sweep";

/** Reports of each kind deleted per tick; their rows go with them (ON DELETE CASCADE). */
const REPORTS_PER_SWEEP = 200;

export const expireReports: Sweep = {
  name: "expire-reports",
  description: "delete DMARC and TLS reports older than their domain's report retention",
  run: (env, now) => deleteExpiredReports(env.DB, now, REPORTS_PER_SWEEP),
};
