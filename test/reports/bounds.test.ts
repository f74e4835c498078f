/**
 * The bounds of src/reports/limits.ts, each hit on purpose with a generated input, and payloads
 * whose labels lie: the bytes decide what a payload is.
 */
import { gzipSync, zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { MAX_RECORDS, MAX_REPORT_BYTES, MAX_XML_DEPTH, MAX_ZIP_ENTRIES } from "../../src/reports/limits";
import { parseReports } from "../../src/reports/parse";
import { ReportRejected } from "../../src/reports/rejected";
import { mail } from "../helpers/email";

const encoder = new TextEncoder();

function record(i: number): string {
  return `<record><row><source_ip>198.51.100.${i % 250}</source_ip><count>1</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>pass</spf></policy_evaluated></row><identifiers><header_from>example.test</header_from></identifiers><auth_results><spf><domain>example.test</domain><result>pass</result></spf></auth_results></record>`;
}

function report(records: number, id = "r1"): string {
  return `<?xml version="1.0"?><feedback><report_metadata><org_name>reporter.test</org_name><email>dmarc@reporter.test</email><report_id>${id}</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata><policy_published><domain>example.test</domain><p>reject</p></policy_published>${Array.from({ length: records }, (_, i) => record(i)).join("")}</feedback>`;
}

async function rejection(data: Uint8Array): Promise<string> {
  const outcome = await parseReports(data).then(
    () => "parsed",
    (e: unknown) => (e instanceof ReportRejected ? e.why : `threw ${String(e)}`),
  );
  return outcome;
}

describe("report bounds", () => {
  it("takes a report of MAX_RECORDS records and refuses one more", async () => {
    const at = await parseReports(encoder.encode(report(MAX_RECORDS)));
    expect(at[0]?.kind === "aggregate" && at[0].report.summary).toEqual({
      record_count: MAX_RECORDS,
      message_count: MAX_RECORDS,
    });
    const started = performance.now();
    expect(await rejection(encoder.encode(report(MAX_RECORDS + 1)))).toBe(
      `report has ${MAX_RECORDS + 1} records, over ${MAX_RECORDS}`,
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("refuses XML nested deeper than MAX_XML_DEPTH", async () => {
    const deep = `<feedback>${"<x>".repeat(MAX_XML_DEPTH + 1)}${"</x>".repeat(MAX_XML_DEPTH + 1)}</feedback>`;
    expect(await rejection(encoder.encode(deep))).toMatch(/^XML not parsed: .*nest/i);
  });

  it("refuses a document over MAX_REPORT_BYTES, plain or inflated", async () => {
    const padded = `${report(1)}${" ".repeat(MAX_REPORT_BYTES)}`;
    expect(await rejection(encoder.encode(padded))).toMatch(/^report document is \d+ bytes, over/);
    expect(await rejection(gzipSync(encoder.encode(padded)))).toBe(`gzip inflates past ${MAX_REPORT_BYTES} bytes`);
  });

  it("refuses a zip of more than MAX_ZIP_ENTRIES entries", async () => {
    const files = Object.fromEntries(
      Array.from({ length: MAX_ZIP_ENTRIES + 1 }, (_, i) => [`r${i}.xml`, encoder.encode(report(1, `r${i}`))]),
    );
    expect(await rejection(zipSync(files))).toBe(`zip holds more than ${MAX_ZIP_ENTRIES} entries`);
  });

  it("stops inflating a zip member whose declared size lies", async () => {
    const zip = zipSync({ "r.xml": new Uint8Array(MAX_REPORT_BYTES * 2).fill(0x20) });
    // Local file header (APPNOTE 4.3.7): uncompressed size at offset 22. Declare 100 bytes.
    new DataView(zip.buffer).setUint32(22, 100, true);
    const started = performance.now();
    expect(await rejection(zip)).toBe(`zip member r.xml inflates past ${MAX_REPORT_BYTES} bytes`);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("refuses a truncated zip and never returns part of it", async () => {
    const zip = zipSync({ "r.xml": encoder.encode(report(200)) });
    expect(await rejection(zip.subarray(0, Math.floor(zip.byteLength / 2)))).toMatch(/zip/);
  });
});

describe("labels that lie", () => {
  const xml = encoder.encode(report(2, "lie"));
  function withAttachment(contentType: string, filename: string, data: Uint8Array): Uint8Array {
    const base64 = btoa(String.fromCharCode(...data)).replace(/.{76}/g, "$&\r\n");
    const body = [
      "--b",
      "Content-Type: text/plain",
      "",
      "This is a DMARC report.",
      "--b",
      `Content-Type: ${contentType}; name="${filename}"`,
      `Content-Disposition: attachment; filename="${filename}"`,
      "Content-Transfer-Encoding: base64",
      "",
      base64,
      "--b--",
      "",
    ].join("\r\n");
    return encoder.encode(
      mail({ From: "dmarc@reporter.test", Subject: "Report", "Content-Type": 'multipart/mixed; boundary="b"' }, body),
    );
  }

  it.each([
    ["a zip labelled gzip", "application/gzip", "report.xml.gz", zipSync({ "report.xml": xml }), ["eml", "zip"]],
    ["a gzip labelled zip", "application/zip", "report.zip", gzipSync(xml), ["eml", "gzip"]],
    ["plain XML labelled octet-stream", "application/octet-stream", "report.bin", xml, ["eml"]],
    ["a gzip labelled text/plain with an .xml name", "text/plain", "report.xml", gzipSync(xml), ["eml", "gzip"]],
  ])("reads %s by its bytes", async (_label, type, filename, data, container) => {
    const found = await parseReports(withAttachment(type, filename, data));
    expect(found.map((f) => [f.kind, f.container])).toEqual([["aggregate", container]]);
    expect(found[0]?.kind === "aggregate" && found[0].report.report_metadata.report_id).toBe("lie");
  });

  it("refuses a gzip of an image labelled as a report", async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(await rejection(withAttachment("application/gzip", "report.xml.gz", gzipSync(png)))).toMatch(
      /^payload is not XML, JSON, gzip, zip or an email/,
    );
  });
});
