/**
 * The reverse-alias pipelines (STYLE.md: a pipeline is an ordered list of handlers).
 * Order constraints: every header and body change before dkim-sign-alias, which signs what is
 * sent; strip-owner-trace before from-alias, because it drops every Message-ID and any field
 * naming the owner (from-alias then writes From, To and Message-ID afresh).
 */
import { log } from "../../core/log";
import { dkimSignAlias } from "./dkim-sign-alias";
import { fromAlias } from "./from-alias";
import { reverseFrom } from "./reverse-from";
import { scrubQuotedOwner } from "./scrub-quoted-owner";
import { stripOwnerTrace } from "./strip-owner-trace";
import type { ReverseContext, ReverseHandler } from "./types";

/** Correspondent → alias → the owner's copy. */
export const OWNER_COPY_PIPELINE: readonly ReverseHandler[] = [
  reverseFrom, // From and Reply-To: the correspondent's reverse address
  dkimSignAlias, // LAST: d= the alias domain, aligned with the new From
];

/** Owner → reverse address → the correspondent. */
export const REVERSE_REPLY_PIPELINE: readonly ReverseHandler[] = [
  stripOwnerTrace, // Received, owner's DKIM/ARC, client fields, anything naming the owner
  fromAlias, // From the alias, To the correspondent, Message-ID on the alias domain
  scrubQuotedOwner, // the owner's address in quoted text, where literal
  dkimSignAlias, // LAST: d= the alias domain
];

export async function runReversePipeline(
  pipeline: readonly ReverseHandler[],
  context: ReverseContext,
  messageId?: string,
): Promise<ReverseContext> {
  for (const handler of pipeline) await handler.process(context);
  log({ stage: "transform", unit: "reverse-pipeline", outcome: "done", messageId, notes: context.notes });
  return context;
}
