/**
 * What a failed authentication is counted against (auth-throttle.ts).
 *
 * - The client network: the exact address for IPv4, the /64 for IPv6. One IPv6 subscriber gets a
 *   whole /64 (RFC 6177 recommends at least that per site), so a bot that rotates addresses inside
 *   it must not get a fresh budget with each one.
 * - The account: a user name tried with HTTP Basic, across all clients, so guesses spread over
 *   many networks still run out. API tokens are 32 random characters naming no account: a wrong
 *   token is counted against its client only.
 */

/** The throttle key of a client address (CF-Connecting-IP). */
export function clientThrottleKey(ip: string): string {
  const prefix = ipv6Prefix64(ip.trim());
  return prefix ?? ip.trim();
}

/** The throttle key of an account (a Basic user name, case-insensitively). */
export function accountThrottleKey(userName: string): string {
  return `user:${userName.toLowerCase()}`;
}

/** "2001:db8:1:2::/64" for any address in that /64; null when `ip` is not an IPv6 address. */
function ipv6Prefix64(ip: string): string | null {
  const address = (ip.split("%")[0] ?? "").toLowerCase();
  if (!address.includes(":")) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string | undefined) => (part ? part.split(":") : []);
  // An embedded IPv4 tail (::ffff:192.0.2.1) is two groups; only the first four matter here.
  const head = groups(halves[0]);
  const tail = groups(halves[1]).flatMap((g) => (g.includes(".") ? ["0", "0"] : [g]));
  const all =
    halves.length === 2 ? [...head, ...Array(Math.max(0, 8 - head.length - tail.length)).fill("0"), ...tail] : head;
  const first = all.slice(0, 4);
  if (first.length < 4 || !first.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return `${first.map((g) => Number.parseInt(g, 16).toString(16)).join(":")}::/64`;
}
