/**
 * List settings are declared once (store/list-settings.ts): the column names, the code's names,
 * the defaults of a new list and partial updates all follow from that declaration.
 */
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { insertDomain } from "../../src/store/domains";
import { LIST_SETTING_DEFAULTS, ListSettings, settingColumns, settingValues } from "../../src/store/list-settings";
import { findListByAddress, insertList, updateList } from "../../src/store/lists";

describe("list settings", () => {
  it("converts between columns and the code's names, leaving absent fields absent", () => {
    expect(settingValues({ hold_days: 3, dmarc_always_domains: ["x.test"], subject_prefix: null })).toEqual({
      holdDays: 3,
      dmarcAlwaysDomains: ["x.test"],
      subjectPrefix: null,
    });
    expect(settingColumns({ holdDays: 3, enabled: false })).toEqual({ hold_days: 3, enabled: false });
  });

  it("has a default for every setting but the name", () => {
    const columns = Object.keys(ListSettings.shape).sort();
    expect(Object.keys(LIST_SETTING_DEFAULTS).sort()).toEqual(columns.filter((c) => c !== "name"));
  });

  it("validates and normalises like the API does", () => {
    const parsed = ListSettings.partial().parse({ dmarc_always_domains: ["GMAIL.com"], hold_days: 2 });
    expect(parsed).toEqual({ dmarc_always_domains: ["gmail.com"], hold_days: 2 });
    expect(ListSettings.partial().safeParse({ policy: "anyone" }).success).toBe(false);
    expect(ListSettings.partial().safeParse({ name: "a\u0007b" }).success).toBe(false);
  });

  it("creates a list with the defaults and changes only the given settings", async () => {
    const domain = `settings-${crypto.randomUUID().slice(0, 8)}.test`;
    const address = `team@${domain}`;
    await insertDomain(env.DB, { name: domain }).run();
    await insertList(env.DB, { address, policy: "open" }, 1000).run();
    const created = await findListByAddress(env.DB, address);
    expect(created).not.toBeNull();
    // Every setting of the row, read back, equals the default or the given value.
    expect(settingColumns(created!)).toEqual({
      ...LIST_SETTING_DEFAULTS,
      name: address.slice(0, address.indexOf("@")),
      policy: "open",
    });

    expect(await updateList(env.DB, address, { holdDays: 3, subjectPrefix: "[t]", enabled: false }, 2000)).toBe(true);
    const updated = await findListByAddress(env.DB, address);
    expect(updated).toMatchObject({
      holdDays: 3,
      subjectPrefix: "[t]",
      enabled: false,
      policy: "open",
      updatedAt: 2000,
    });
    expect(updated?.dmarcAlwaysDomains).toEqual(LIST_SETTING_DEFAULTS.dmarc_always_domains);
    expect(await updateList(env.DB, `nobody-${address}`, { holdDays: 1 })).toBe(false);
  });
});
