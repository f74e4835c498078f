/**
 * The domain page's DKIM section (issue 11 "DKIM keys: generate, rotate, delete a selector"): the
 * HTML it renders for given keys. Each action is a CSRF form posting to the page routes that call
 * POST /api/v1/domains/{name}/dkim and DELETE .../dkim/{selector}.
 */
import { jsx } from "hono/jsx";
import { describe, expect, it } from "vitest";
import { DomainDetail } from "../../src/web/pages/domains";

// biome-ignore lint/suspicious/noExplicitAny: component props are API JSON
async function html(props: any): Promise<string> {
  return String(await jsx(DomainDetail as never, props).toString());
}

const domain = { name: "one.example", enabled: true, catch_all: null, relay: null };

describe("DKIM keys on the domain page", () => {
  it("with no key: says mail is unsigned and offers to generate one", async () => {
    const out = await html({ domain, dkim: { keys: [], records: [] }, csrf: "tok" });
    expect(out).toContain("No DKIM key: list mail and submissions from one.example are not signed.");
    expect(out).toContain('<form method="post" action="/admin/domains/one.example/dkim">');
    expect(out).toContain("Generate a key");
    expect(out).not.toContain("Rotate");
    expect(out).not.toContain("/delete");
  });

  it("with keys: marks the signing one, offers rotation and a delete form per selector", async () => {
    const keys = [
      { selector: "f2", algorithm: "ed25519", signing: true, created_at: "2026-11-30T10:00:00.000Z" },
      { selector: "f1", algorithm: "rsa", signing: false, created_at: "2026-11-01T10:00:00.000Z" },
    ];
    const out = await html({ domain, dkim: { keys, records: [] }, csrf: "tok" });
    expect(out).toContain('<td class="mono">f2</td><td>ed25519</td><td>yes (newest)</td>');
    expect(out).toContain('<td class="mono">f1</td><td>rsa</td><td>no</td>');
    expect(out).toContain('action="/admin/domains/one.example/dkim/f1/delete"');
    expect(out).toContain('action="/admin/domains/one.example/dkim/f2/delete"');
    expect(out).toContain("Rotate: generate a new key");
    expect(out).not.toContain("No DKIM key");
  });
});
