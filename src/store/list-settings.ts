/**
 * A mailing list's settings, declared once. The keys are the `lists` columns and the admin API's
 * field names; the API's request and response schemas are derived from this object. A new
 * setting touches its migration, this declaration with its default, and rowToList
 * (store/lists.ts); the TypeScript types follow.
 */
import { z } from "zod";
import { domainName, printableText } from "./value-schemas";

export const LIST_POLICIES = ["open", "members", "moderated", "announce"] as const;
export const NON_MEMBER_ACTIONS = ["hold", "reject", "discard"] as const;
export const DMARC_MODES = ["auto", "munge", "wrap", "none"] as const;
export const REPLY_TO_POLICIES = ["list", "author", "none"] as const;

export type ListPolicy = (typeof LIST_POLICIES)[number];
export type NonMemberAction = (typeof NON_MEMBER_ACTIONS)[number];
export type DmarcMode = (typeof DMARC_MODES)[number];
export type ReplyToPolicy = (typeof REPLY_TO_POLICIES)[number];

export const ListSettings = z.object({
  name: printableText(100).min(1),
  description: printableText(500).nullable(),
  policy: z.enum(LIST_POLICIES),
  non_member_action: z.enum(NON_MEMBER_ACTIONS),
  dmarc_mode: z.enum(DMARC_MODES),
  /** Author domains whose From is always rewritten in auto mode (lists/rules/dmarc-policy.ts). */
  dmarc_always_domains: z.array(domainName).max(100),
  subject_prefix: printableText(40).nullable(),
  reply_to: z.enum(REPLY_TO_POLICIES),
  max_message_bytes: z
    .number()
    .int()
    .min(1024)
    .max(25 * 1024 * 1024),
  /**
   * A digest's hard size cap (lists/digest/digest-cap.ts): a period's posts are split into as many
   * digests as it takes to stay under it (and under the relay's limit minus Facteur's overhead).
   */
  digest_max_bytes: z
    .number()
    .int()
    .min(16 * 1024)
    .max(25 * 1024 * 1024),
  hold_days: z.number().int().min(1).max(365),
  bounce_threshold: z.number().min(0.5).max(100),
  bounce_quiet_days: z.number().int().min(1).max(365),
  archive_url: z.string().url().max(2048).nullable(),
  enabled: z.boolean(),
});

export type ListSettings = z.output<typeof ListSettings>;
export type ListSettingColumn = keyof ListSettings;

/** The settings of a new list that were not given; its name defaults to the local part. */
export const LIST_SETTING_DEFAULTS: Omit<ListSettings, "name"> = {
  description: null,
  policy: "members",
  non_member_action: "hold",
  dmarc_mode: "auto",
  // Gmail rejects unaligned gmail.com mail even at p=none, so auto mode rewrites it by default.
  dmarc_always_domains: ["gmail.com", "googlemail.com"],
  subject_prefix: null,
  reply_to: "author",
  max_message_bytes: 5 * 1024 * 1024,
  // 1 MiB: a digest a mail client opens at once, far under every relay's limit (Cloudflare 5 MiB).
  digest_max_bytes: 1024 * 1024,
  hold_days: 14,
  bounce_threshold: 5,
  bounce_quiet_days: 7,
  archive_url: null,
  enabled: true,
};

type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** The settings as the code reads them (`holdDays` for the `hold_days` column). */
export type ListSettingValues = { [K in ListSettingColumn as CamelCase<K>]: ListSettings[K] };

const COLUMNS = Object.keys(ListSettings.shape) as ListSettingColumn[];

function camelCase(column: string): string {
  return column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** API fields or columns → the code's names; absent fields stay absent. */
export function settingValues(columns: Partial<ListSettings>): Partial<ListSettingValues> {
  const values: Record<string, unknown> = {};
  for (const column of COLUMNS) if (columns[column] !== undefined) values[camelCase(column)] = columns[column];
  return values as Partial<ListSettingValues>;
}

/** The code's names → API fields or columns; other keys of `values` (address, lookup…) are left out. */
export function settingColumns<V extends Partial<ListSettingValues>>(
  values: V,
): V extends ListSettingValues ? ListSettings : Partial<ListSettings> {
  const columns: Record<string, unknown> = {};
  for (const column of COLUMNS) {
    const value = (values as Record<string, unknown>)[camelCase(column)];
    if (value !== undefined) columns[column] = value;
  }
  return columns as V extends ListSettingValues ? ListSettings : Partial<ListSettings>;
}
