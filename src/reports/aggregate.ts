/**
 * A DMARC aggregate report (RFC 7489 section 7.2 and appendix C; RFC 9990's namespaced form)
 * from its XML. Values are kept as the reporter wrote them, trimmed: nothing is lower-cased or
 * mapped, so odd values (`Pass`, `hardfail`) stay visible. An absent element is null, an empty one "".
 */
import { MAX_RECORDS } from "./limits";
import { ReportRejected } from "./rejected";
import type { AggregateRecord, AggregateReport, PolicyPublished } from "./types";
import { child, children, decodeXml, parseXml, textAt, textOf, type XmlElement } from "./xml";

/** Digits only become a number (`count`, `begin`, `end`, `pct`); anything else is kept as text. */
function integer(value: string | null): number | string | null {
  return value !== null && /^[0-9]+$/.test(value) ? Number(value) : value;
}

// A cheap count before the tree is built: refusing 100,000 records should not cost parsing them.
const RECORD_TAG = /<(?:[A-Za-z_][\w.-]*:)?record[\s>]/g;

export function parseAggregate(bytes: Uint8Array): AggregateReport {
  const text = decodeXml(bytes);
  const records = text.match(RECORD_TAG)?.length ?? 0;
  if (records > MAX_RECORDS) throw new ReportRejected(`report has ${records} records, over ${MAX_RECORDS}`);
  const document = parseXml(text);
  const feedback = document.rootName === "feedback" ? document.root : findFeedback(document.root, 0);
  if (!feedback) throw new ReportRejected(`root element is <${document.rootName}>, no <feedback>`);
  return aggregateFrom(feedback, document.namespace);
}

function findFeedback(element: XmlElement, depth: number): XmlElement | undefined {
  if (depth > 4) return undefined;
  for (const [key, value] of Object.entries(element)) {
    if (!Array.isArray(value)) continue;
    for (const inner of value) {
      if (key === "feedback") return inner;
      const found = findFeedback(inner, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

function aggregateFrom(feedback: XmlElement, namespace: string | null): AggregateReport {
  const metadata = child(feedback, "report_metadata");
  const range = child(metadata, "date_range");
  const generator = textAt(metadata, "generator");
  const records = children(feedback, "record").map(recordFrom);
  return {
    xml_namespace: namespace,
    version: textAt(feedback, "version"),
    report_metadata: {
      org_name: textAt(metadata, "org_name"),
      email: textAt(metadata, "email"),
      extra_contact_info: textAt(metadata, "extra_contact_info"),
      report_id: textAt(metadata, "report_id"),
      date_range: { begin: integer(textAt(range, "begin")), end: integer(textAt(range, "end")) },
      errors: children(metadata, "error").map(textOf),
      ...(generator !== null ? { generator } : {}),
    },
    policy_published: policyFrom(child(feedback, "policy_published")),
    records,
    summary: {
      record_count: records.length,
      message_count: records.reduce((sum, r) => sum + (typeof r.count === "number" ? r.count : 0), 0),
    },
  };
}

function policyFrom(policy: XmlElement | undefined): PolicyPublished | null {
  if (!policy) return null;
  const out: PolicyPublished = {
    domain: textAt(policy, "domain"),
    adkim: textAt(policy, "adkim"),
    aspf: textAt(policy, "aspf"),
    p: textAt(policy, "p"),
    sp: textAt(policy, "sp"),
    pct: integer(textAt(policy, "pct")),
    fo: textAt(policy, "fo"),
  };
  // RFC 9990 additions, only when the reporter sent them.
  for (const name of ["np", "testing", "discovery_method", "psd"] as const) {
    const value = textAt(policy, name);
    if (value !== null) out[name] = value;
  }
  return out;
}

function recordFrom(record: XmlElement): AggregateRecord {
  const row = child(record, "row");
  const evaluated = child(row, "policy_evaluated");
  // Some early reporters wrote <identities> (a draft name) instead of <identifiers>.
  const identifiers = child(record, "identifiers") ?? child(record, "identities");
  const auth = child(record, "auth_results");
  return {
    source_ip: textAt(row, "source_ip"),
    count: integer(textAt(row, "count")),
    policy_evaluated: evaluated
      ? {
          disposition: textAt(evaluated, "disposition"),
          dkim: textAt(evaluated, "dkim"),
          spf: textAt(evaluated, "spf"),
          reasons: children(evaluated, "reason").map((r) => ({
            type: textAt(r, "type"),
            comment: textAt(r, "comment"),
          })),
        }
      : null,
    identifiers: identifiers
      ? {
          header_from: textAt(identifiers, "header_from"),
          envelope_from: textAt(identifiers, "envelope_from"),
          envelope_to: textAt(identifiers, "envelope_to"),
        }
      : null,
    auth_results: auth
      ? {
          dkim: children(auth, "dkim").map((d) => ({
            domain: textAt(d, "domain"),
            selector: textAt(d, "selector"),
            result: textAt(d, "result"),
            human_result: textAt(d, "human_result"),
          })),
          spf: children(auth, "spf").map((s) => ({
            domain: textAt(s, "domain"),
            scope: textAt(s, "scope"),
            result: textAt(s, "result"),
            human_result: textAt(s, "human_result"),
          })),
        }
      : null,
  };
}
