import type { AuthResults } from "../authenticate";
import type { Config } from "../core/config";
import type { SrsReverseResult } from "../mail/minted-address";
import type { ReceivedMessage } from "../receive";
import type { RoutingFacts } from "../store/routing";
import type { Decision } from "./decision";

/** Everything a rule may look at. Read-only: a rule decides, it never edits (STYLE.md). */
export interface RouteContext {
  readonly message: ReceivedMessage;
  readonly auth: AuthResults;
  /** The envelope recipient being routed, normalised. */
  readonly recipient: { readonly local: string; readonly domain: string; readonly address: string };
  /** What D1 says about the recipient's domain and the aliases that could match. */
  readonly facts: RoutingFacts;
  readonly config: Config;
  /**
   * For an SRS0/SRS1 recipient on our domain, the verified reversal (computed before the chain
   * because the HMAC check is asynchronous WebCrypto); null for any other recipient.
   */
  readonly srs: SrsReverseResult | null;
}

/**
 * A rule checks one condition. It returns a Decision when it decides the message's fate, or
 * undefined to let the next rule in the chain look.
 */
export interface Rule {
  readonly name: string;
  readonly description: string;
  check(context: RouteContext): Decision | undefined;
}
