/**
 * A Mailman 3 list's settings (GET /3.1/lists/{list}/config, REST JSON) mapped onto Facteur's.
 * A decision without side effects: the settings to apply, the archive policy, and every Mailman
 * setting that has no Facteur equivalent (or only a partial one), with the reason.
 */
import type { ArchivePolicy } from "../../store/archive";
import type { ListSettings } from "../../store/list-settings";

export interface Unmapped {
  setting: string;
  value: unknown;
  reason: string;
}

export interface MappedSettings {
  settings: Partial<ListSettings>;
  archivePolicy: ArchivePolicy | null;
  unmapped: Unmapped[];
}

/** Read-only descriptions of the resource, not settings. */
const DESCRIPTIVE = new Set([
  "self_link",
  "http_etag",
  "fqdn_listname",
  "list_id",
  "list_name",
  "mail_host",
  "member_count",
  "volume",
  "created_at",
  "last_post_at",
  "digest_last_sent_at",
  "next_digest_number",
  "posting_address",
  "request_address",
  "owner_address",
  "bounces_address",
  "join_address",
  "leave_address",
  "no_reply_address",
]);

const MAX_BYTES = 25 * 1024 * 1024;

export function mapMailmanSettings(config: Record<string, unknown>): MappedSettings {
  const settings: Partial<ListSettings> = {};
  const unmapped: Unmapped[] = [];
  let archivePolicy: ArchivePolicy | null = null;
  const unmap = (setting: string, reason: string) => unmapped.push({ setting, value: config[setting], reason });
  const unconditionally = config.dmarc_mitigate_unconditionally === true;

  for (const [setting, value] of Object.entries(config)) {
    if (DESCRIPTIVE.has(setting)) continue;
    switch (setting) {
      case "display_name":
        if (typeof value === "string" && value.trim()) settings.name = value.trim().slice(0, 100);
        break;
      case "description":
        settings.description = typeof value === "string" && value.trim() ? value.trim().slice(0, 500) : null;
        break;
      case "subject_prefix":
        settings.subject_prefix = typeof value === "string" && value.trim() ? value.trim().slice(0, 40) : null;
        break;
      case "reply_goes_to_list":
        if (value === "no_munging") settings.reply_to = "author";
        else if (value === "point_to_list") settings.reply_to = "list";
        else
          unmap(
            setting,
            "Facteur's Reply-To is the author, the list or none; an explicit reply_to_address has no equivalent",
          );
        break;
      case "dmarc_mitigate_action":
        if (value === "no_mitigation") settings.dmarc_mode = "none";
        // Mailman munges only for p=quarantine/reject domains unless told to always: Facteur's auto.
        else if (value === "munge_from") settings.dmarc_mode = unconditionally ? "munge" : "auto";
        else if (value === "wrap_message") settings.dmarc_mode = "wrap";
        else
          unmap(
            setting,
            "Facteur refuses p=reject forgeries in SMTP and never rejects or discards list posts for DMARC",
          );
        break;
      case "dmarc_mitigate_unconditionally":
        break;
      case "default_member_action":
        if (value === "hold") settings.policy = "moderated";
        else if (value !== "defer" && value !== "accept")
          unmap(setting, "members' posts are accepted or held, never rejected or discarded by default");
        break;
      case "default_nonmember_action":
        if (value === "accept") settings.policy = "open";
        else if (value === "hold" || value === "defer") settings.non_member_action = "hold";
        else if (value === "reject" || value === "discard") settings.non_member_action = value;
        else unmap(setting, "unknown action");
        break;
      case "max_message_size":
        // Mailman counts KB, 0 = no limit; Facteur's cap is at most 25 MiB.
        if (typeof value === "number" && value > 0)
          settings.max_message_bytes = Math.min(Math.max(value * 1024, 1024), MAX_BYTES);
        else {
          settings.max_message_bytes = MAX_BYTES;
          unmap(setting, "no limit in Mailman; Facteur caps posts at 25 MiB");
        }
        break;
      case "archive_policy":
        if (value === "public") archivePolicy = "public";
        else if (value === "private") archivePolicy = "members";
        else if (value === "never") archivePolicy = "off";
        else unmap(setting, "unknown archive policy");
        break;
      case "advertised":
        unmap(setting, "Facteur publishes no list of lists: every list is unadvertised");
        break;
      default:
        unmap(setting, "no Facteur equivalent");
    }
  }
  // default_member_action hold beats default_nonmember_action accept: a moderated list holds all.
  if (config.default_member_action === "hold") settings.policy = "moderated";
  return { settings, archivePolicy, unmapped };
}
