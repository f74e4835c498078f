/**
 * RFC 3834 section 5: `Auto-Submitted: no` marks a message written by a person; any other
 * keyword (auto-generated, auto-replied, an extension) marks an automatic one, which must never
 * be answered automatically (section 2), or mail loops between two robots.
 *
 *   auto-submitted-field = "Auto-Submitted:" [CFWS] auto-submitted [CFWS] CRLF
 *   auto-submitted       = ( "no" / "auto-generated" / "auto-replied" / extension ) opt-parameter-list
 *
 * So the keyword is what is left before any parameter (";") once comments ("(...)") are removed,
 * compared without regard to case: `no; x=y` and `No (a person)` are still "no".
 */

/** True when the unfolded Auto-Submitted value (undefined: no such field) marks automatic mail. */
export function isAutoSubmitted(value: string | undefined): boolean {
  if (value === undefined) return false;
  const keyword = value
    .replace(/\([^()]*\)/g, " ")
    .split(";", 1)[0]!
    .trim()
    .toLowerCase();
  return keyword !== "no";
}
