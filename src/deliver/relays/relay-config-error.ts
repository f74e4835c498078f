/**
 * A relay configuration that cannot work (bad RELAY_URL, missing binding). Raised when the
 * configuration is read, so an operator sees one clear error instead of every message failing.
 */
export class RelayConfigError extends Error {
  override readonly name = "RelayConfigError";
}
