/**
 * The SPF include (RFC 7208 section 5.2) of the relay that sends Facteur's mail, when it can be
 * known: Mailgun publishes mailgun.org; the `cloudflare:` relay sends from Email Routing's own
 * servers (already included); an SMTP relay's is configured with RELAY_SPF_INCLUDE.
 */
export function relaySpfInclude(relayUrl: string, configured: string | undefined): string | null {
  if (configured) return configured;
  if (/^mailgun:/i.test(relayUrl)) return "mailgun.org";
  return null;
}
