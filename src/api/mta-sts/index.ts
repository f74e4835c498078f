/**
 * https://mta-sts.<domain>/.well-known/mta-sts.txt: the domain's MTA-STS policy (RFC 8461
 * section 3.3), served on that host when it is routed to this Worker (README, "Domain health").
 * Public, as senders fetch it anonymously; any other host falls through to the API's 404.
 */
import { Hono } from "hono";
import { MTA_STS_PATH, mtaStsDomain } from "../../health/mta-sts";
import { mtaStsPolicyFor } from "../../health/records";
import { findReportSettings } from "../../store/report-settings";
import type { ApiEnv } from "../env";

export const mtaSts = new Hono<ApiEnv>().get(MTA_STS_PATH, async (c, next) => {
  const domain = mtaStsDomain(new URL(c.req.url).host);
  if (!domain) return next();
  const settings = await findReportSettings(c.env.DB, domain);
  if (!settings) return c.text("no MTA-STS policy for this domain\n", 404);
  // Section 3.3: media type text/plain; senders cache by the TXT id, not by HTTP caching.
  return c.body(mtaStsPolicyFor(settings), 200, { "content-type": "text/plain; charset=utf-8" });
});
