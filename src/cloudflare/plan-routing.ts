/**
 * Email Routing on a zone: enabled, and its mail reaching this Worker. The catch-all sends every
 * address to Facteur (wrangler's `addresses = ["*@domain"]` sets the same rule). Pure.
 */
export interface RoutingRule {
  name?: string;
  enabled?: boolean;
  priority?: number;
  matchers?: { type?: string; field?: string; value?: string }[];
  actions?: { type?: string; value?: string[] }[];
}

export interface RoutingChange {
  action: "enable" | "set-catch-all" | "keep" | "conflict";
  what: string;
  note?: string;
}

const toWorker = (rule: RoutingRule, worker: string) =>
  rule.actions?.some((a) => a.type === "worker" && (a.value ?? []).includes(worker)) ?? false;
const describe = (rule: RoutingRule) =>
  (rule.actions ?? []).map((a) => `${a.type}${a.value?.length ? ` ${a.value.join(",")}` : ""}`).join(", ") ||
  "no action";

export function planRouting(input: {
  enabled: boolean;
  catchAll: RoutingRule;
  rules: RoutingRule[];
  worker: string;
  /** Addresses Facteur serves on this domain (aliases, lists), to name the rules that take them. */
  handled: string[];
}): { changes: RoutingChange[]; warnings: string[] } {
  const changes: RoutingChange[] = [];
  const warnings: string[] = [];
  changes.push(
    input.enabled ? { action: "keep", what: "Email Routing enabled" } : { action: "enable", what: "Email Routing" },
  );
  const catchAllOn = input.catchAll.enabled !== false;
  if (catchAllOn && toWorker(input.catchAll, input.worker))
    changes.push({ action: "keep", what: `catch-all → worker ${input.worker}` });
  else if (!catchAllOn || (input.catchAll.actions ?? []).every((a) => a.type === "drop")) {
    changes.push({
      action: "set-catch-all",
      what: `catch-all → worker ${input.worker}`,
      note: `was ${catchAllOn ? describe(input.catchAll) : "disabled"}`,
    });
  } else {
    changes.push({
      action: "conflict",
      what: "catch-all",
      note: `it sends to ${describe(input.catchAll)}, not to Facteur: change it, or add the domain with npm run deploy -- --domain`,
    });
  }
  // Literal rules match before the catch-all: each one not sending to this Worker takes its address.
  const handled = new Set(input.handled.map((a) => a.toLowerCase()));
  for (const rule of input.rules) {
    if (rule.enabled === false || toWorker(rule, input.worker)) continue;
    for (const m of rule.matchers ?? []) {
      if (m.type !== "literal" || !m.value) continue;
      const served = handled.has(m.value.toLowerCase());
      warnings.push(
        `rule ${rule.name ? `"${rule.name}" ` : ""}for ${m.value} sends to ${describe(rule)} before Facteur sees it${served ? " (Facteur has an alias or list for it)" : ""}`,
      );
    }
  }
  return { changes, warnings };
}
