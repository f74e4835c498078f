/**
 * ValiMail ARC signing suite (17 tests): each message is verified by Facteur's `authenticate()`,
 * sealed with mailauth's `createSeal()` (RFC 8617 section 5.1) using the scenario's key, selector and
 * `t`, then the sealed message is verified again by `authenticate()`, inside workerd.
 *
 * - The seal's `cv` is what Facteur's verification of the incoming chain said (RFC 8617 section
 *   5.1.1 step 2), and it must be the `cv` of the expected ARC-Seal.
 * - The ARC-Authentication-Results payload follows the suite's consolidation convention: every
 *   Authentication-Results field with the `srv-id` authserv-id, its results in order.
 * - Every sealed message must verify: `pass`, or `fail` when the expected seal says cv=fail.
 * - AS, AMS and AAR are compared with the expected values with whitespace removed, tag by tag
 *   (the order of tags is free, RFC 6376 section 3.2). The signatures (`b=`) depend on every byte
 *   that was signed, including the order of tags in the AMS and AS themselves, so they are counted
 *   and reported, not required (see README.md).
 */
import "../../src/mailauth/crypto-compat";
import { createSeal } from "mailauth/lib/arc";
import { afterAll, describe, expect, it } from "vitest";
import { authenticate } from "../../src/authenticate";
import { createZoneResolver } from "../support/dns/zone";
import { readYamlDocuments, stripKeyWhitespace, toCrlf } from "./data";

interface SignScenario {
  description: string;
  domain: string;
  sel: string;
  privatekey: string;
  "txt-records": Record<string, string>;
  tests: Record<
    string,
    {
      description?: string;
      message: string;
      t: number;
      "sig-headers": string;
      "srv-id": string;
      AS?: string | null;
      AMS?: string | null;
      AAR?: string | null;
    }
  >;
}

const scenarios = await readYamlDocuments<SignScenario>("arc-test-suite/arc-draft-sign-tests.yml");

/** Header fields of a CRLF message, unfolded (RFC 5322 section 2.2.3). */
function headerFields(message: string): { name: string; value: string }[] {
  const end = message.indexOf("\r\n\r\n");
  const block = end === -1 ? message : message.slice(0, end);
  return block
    .replace(/\r\n(?=[ \t])/g, "")
    .split("\r\n")
    .filter((line) => line.includes(":"))
    .map((line) => ({ name: line.slice(0, line.indexOf(":")).trim(), value: line.slice(line.indexOf(":") + 1) }));
}

/** The suite's AR consolidation: results of every Authentication-Results field for `srvId`, in order. */
function consolidatedAuthResults(message: string, srvId: string): string {
  const results: string[] = [];
  for (const field of headerFields(message)) {
    if (field.name.toLowerCase() !== "authentication-results") continue;
    const [authservId, ...rest] = field.value.split(";").map((part) => part.trim());
    if (authservId?.toLowerCase() !== srvId.toLowerCase()) continue;
    results.push(...rest.filter(Boolean));
  }
  return [srvId, ...results].join(";\r\n ");
}

/** Tag list (RFC 6376 section 3.2) with all whitespace removed, as a map. */
function tags(value: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const part of value.replace(/\s+/g, "").split(";")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    map.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return map;
}

/**
 * The tags that say what was signed, how and by whom, without b=. `h=` is compared as a set of
 * case-insensitive names (mailauth lists the fields bottom-up in the message's own case; a list of
 * single fields signs the same fields either way), and `q=dns/txt`, the only value and the default
 * (RFC 6376 section 3.5), counts as absent.
 */
function signedTags(map: Map<string, string>): Record<string, string> {
  const entries = [...map].filter(([key, value]) => key !== "b" && !(key === "q" && value === "dns/txt"));
  return Object.fromEntries(
    entries
      .map(([key, value]): [string, string] => [
        key,
        key === "h" ? [...new Set(value.toLowerCase().split(":"))].sort().join(":") : value,
      ])
      .sort(),
  );
}

const tally = {
  tests: 0,
  sealed: 0,
  reverified: 0,
  cvAsExpected: 0,
  tagsMatch: 0,
  signaturesMatch: 0,
  aarMatch: 0,
  expectedSetVerifies: 0,
};
const mismatchedSignatures: string[] = [];

describe("ARC signing suite (ValiMail, 17 tests)", () => {
  for (const scenario of scenarios) {
    const resolver = createZoneResolver(
      Object.fromEntries(
        Object.entries(scenario["txt-records"]).map(([name, value]) => [name, { TXT: [stripKeyWhitespace(value)] }]),
      ),
    );
    describe(scenario.description.trim(), () => {
      for (const [name, test] of Object.entries(scenario.tests)) {
        it(name, async () => {
          tally.tests++;
          const message = toCrlf(test.message);
          const verifyOptions = {
            resolver,
            authservId: test["srv-id"],
            mailFrom: "jqd@d1.example",
            topReceived: undefined,
            trustedReceivers: null,
          };
          const incoming = await authenticate(new TextEncoder().encode(message), verifyOptions);
          const expectedAs = (test.AS ?? "").trim();
          const { headers, errors } = await createSeal(message, {
            arc: incoming.arcData as Parameters<typeof createSeal>[1]["arc"],
            seal: {
              signingDomain: scenario.domain,
              selector: scenario.sel,
              privateKey: scenario.privatekey,
              signTime: new Date(test.t * 1000),
              headerList: test["sig-headers"],
              cv: incoming.arc.result,
              authResults: consolidatedAuthResults(message, test["srv-id"]),
            },
          });

          if (!expectedAs) {
            // RFC 8617 section 5.1 step 2: a chain whose newest seal says cv=fail is not sealed again.
            expect(headers, `${name}: expected no ARC set`).toEqual([]);
            expect(errors.map((e) => (e.err as { code?: string }).code)).toContain("EARCCHAINFAILED");
            tally.cvAsExpected++;
            tally.reverified++;
            return;
          }
          expect(errors, `${name}: sealing errors`).toEqual([]);
          expect(headers).toHaveLength(3);
          tally.sealed++;
          const [as = "", ams = "", aar = ""] = headers.map((h) => h.slice(h.indexOf(":") + 1));

          // The cv Facteur's verification gave is the one the suite expects.
          const expectedCv = tags(expectedAs).get("cv");
          expect(tags(as).get("cv"), `${name}: cv`).toBe(expectedCv);
          tally.cvAsExpected++;

          // The sealed message verifies through Facteur's authenticate().
          const sealed = `${headers.join("\r\n")}\r\n${message}`;
          const outgoing = await authenticate(new TextEncoder().encode(sealed), verifyOptions);
          expect(outgoing.arc.result, `${name}: ${outgoing.arc.comment}`).toBe(expectedCv === "fail" ? "fail" : "pass");
          // A passing chain is reported at the new instance (mailauth reports no instance for a failed one).
          if (expectedCv !== "fail") expect(outgoing.arc.instance).toBe(Number(tags(as).get("i")));
          tally.reverified++;

          // Tags other than b= must match; AAR must match whitespace-stripped.
          expect(signedTags(tags(ams))).toEqual(signedTags(tags(test.AMS ?? "")));
          expect(signedTags(tags(as))).toEqual(signedTags(tags(expectedAs)));
          tally.tagsMatch++;
          expect(aar.replace(/\s+/g, "")).toBe((test.AAR ?? "").replace(/\s+/g, ""));
          tally.aarMatch++;

          // The suite's own expected ARC set, on the same message, verifies through Facteur too: the
          // b= values differ from mailauth's only because what was signed differs (tag order, h=
          // order and case, q=). The suite prints long b= values over several lines; they were signed
          // unbroken, with folding only after a `;` (the other layouts fail the seal).
          const fold = (value: string | null | undefined) =>
            (value ?? "")
              .trim()
              .split(/\s*\n\s*/)
              .reduce(
                (folded, line) =>
                  folded === "" ? line : folded.endsWith(";") ? `${folded}\r\n ${line}` : folded + line,
                "",
              );
          const expectedSet = [
            `ARC-Seal: ${fold(expectedAs)}`,
            `ARC-Message-Signature: ${fold(test.AMS)}`,
            `ARC-Authentication-Results: ${fold(test.AAR)}`,
          ].join("\r\n");
          const reference = await authenticate(new TextEncoder().encode(`${expectedSet}\r\n${message}`), verifyOptions);
          expect(reference.arc.result, `${name}: the suite's expected set: ${reference.arc.comment}`).toBe(
            expectedCv === "fail" ? "fail" : "pass",
          );
          tally.expectedSetVerifies++;

          const sameSignatures =
            tags(as).get("b") === tags(expectedAs).get("b") && tags(ams).get("b") === tags(test.AMS ?? "").get("b");
          if (sameSignatures) tally.signaturesMatch++;
          else mismatchedSignatures.push(name);
        });
      }
    });
  }

  afterAll(() => {
    console.log(
      `ARC signing: ${tally.reverified}/${tally.tests} pass (sealed ${tally.sealed}, 1 correctly refused; ` +
        `re-verified ${tally.reverified}, cv as expected ${tally.cvAsExpected}, AAR equal ${tally.aarMatch}, ` +
        `AS/AMS tags equal ${tally.tagsMatch}, the suite's expected sets verify ${tally.expectedSetVerifies}, ` +
        `b= signatures byte-identical ${tally.signaturesMatch}/${tally.sealed})`,
    );
    if (mismatchedSignatures.length) {
      console.log(
        `ARC signing: b= differs for ${mismatchedSignatures.length} (mailauth writes its own tag order, h= bottom-up ` +
          "in the message's case, and q=dns/txt; the AMS and AS sign those bytes)",
      );
    }
  });

  it("summary: every test sealed or refused as expected, and re-verified", () => {
    expect(tally.tests).toBe(17);
    expect(tally.reverified).toBe(17);
    expect(tally.cvAsExpected).toBe(17);
    expect(tally.sealed).toBe(16);
    expect(tally.aarMatch).toBe(16);
    expect(tally.tagsMatch).toBe(16);
    expect(tally.expectedSetVerifies).toBe(16);
  });
});
