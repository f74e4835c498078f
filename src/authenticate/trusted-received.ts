/**
 * The SMTP client's IP and HELO, taken only from the top Received header, and only when that
 * header was written by a receiver we trust (Cloudflare Email Routing's MX hosts by default).
 *
 * Why: the Worker is not told the client IP (DESIGN.md), and SPF (RFC 7208 section 4.1) needs
 * it. Every Received header below the top one, and the top one when its "by" host is not ours,
 * could have been written by the sender, so it proves nothing (RFC 5321 section 4.4 lets any hop
 * add trace fields).
 */
import { parseReceivedField, receivedClientAddress } from "../mailauth";

export type SpfClient =
  | { trusted: true; ip: string; helo: string | undefined; by: string }
  | { trusted: false; reason: string };

export function clientFromTopReceived(topReceived: string | undefined, trustedBy: RegExp | null): SpfClient {
  if (!trustedBy) return { trusted: false, reason: "no trusted receiver configured" };
  if (!topReceived) return { trusted: false, reason: "no Received header" };
  const parsed = parseReceivedField(topReceived);
  const by = parsed.by?.value?.trim().toLowerCase();
  if (!by || !trustedBy.test(by)) return { trusted: false, reason: `top Received not written by a trusted receiver` };
  const ip = receivedClientAddress(parsed);
  if (!ip) return { trusted: false, reason: "trusted Received header carries no client IP" };
  return { trusted: true, ip, helo: parsed.from?.value?.trim() || undefined, by };
}
