/**
 * Structured JSON log lines (STYLE.md): message id, stage, unit, outcome, plus any detail.
 * Workers Logs and `wrangler tail` index JSON fields, so one object per line is searchable.
 */
export type Stage =
  | "receive"
  | "authenticate"
  | "route"
  | "transform"
  | "deliver"
  | "bounce"
  | "reports"
  | "api"
  | "queue"
  | "scheduled";

export interface LogFields {
  stage: Stage;
  unit: string;
  outcome: string;
  messageId?: string;
  [key: string]: unknown;
}

export function log(fields: LogFields): void {
  console.log(JSON.stringify({ level: "info", ...fields }));
}

export function logError(fields: LogFields & { error: unknown }): void {
  const { error, ...rest } = fields;
  const detail = error instanceof Error ? { error: error.message, name: error.name } : { error: String(error) };
  console.error(JSON.stringify({ level: "error", ...rest, ...detail }));
}
