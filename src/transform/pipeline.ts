/**
 * The list transform pipeline: an ordered list of handlers (STYLE.md). Order constraints:
 * - cleanse first: later handlers add fields cleanse would otherwise remove (List-*, Precedence);
 * - reply-to before dmarc-mitigation: a munged From adds the author as Reply-To only when the
 *   policy left none;
 * - dmarc-mitigation before body-hash: wrapping replaces the body that is hashed;
 * - body-hash after every body change (the signatures made from it at fan-out cover the header too);
 * - arc-seal LAST: any change after it would break its ARC-Message-Signature.
 */
import { log } from "../core/log";
import { arcSeal } from "./handlers/arc-seal";
import { archivedAt } from "./handlers/archived-at";
import { bodyHash } from "./handlers/body-hash";
import { cleanse } from "./handlers/cleanse";
import { dmarcMitigation } from "./handlers/dmarc-mitigation";
import { listHeaders } from "./handlers/list-headers";
import { listId } from "./handlers/list-id";
import { listUnsubscribePost } from "./handlers/list-unsubscribe-post";
import { precedence } from "./handlers/precedence";
import { replyTo } from "./handlers/reply-to";
import { subjectPrefix } from "./handlers/subject-prefix";
import type { Handler, TransformContext } from "./types";

export const LIST_PIPELINE: readonly Handler[] = [
  cleanse, // Return-Path, Bcc, our own and upstream list fields out; author's DKIM-Signature kept
  subjectPrefix, // "[team] …", never doubled
  listId, // RFC 2919
  listHeaders, // RFC 2369 List-Post/-Help/-Subscribe/-Owner/-Archive
  archivedAt, // RFC 5064 Archived-At (and List-Archive) when the list archives
  listUnsubscribePost, // RFC 8058 (the per-member List-Unsubscribe comes at fan-out)
  precedence, // Precedence: list
  replyTo, // list / author / none
  dmarcMitigation, // munge From or wrap, as the DMARC rule decided
  bodyHash, // body hash once; per-member signatures at fan-out
  arcSeal, // LAST: i = n+1, AAR = Facteur's inbound Authentication-Results
];

export async function runPipeline(
  pipeline: readonly Handler[],
  context: TransformContext,
  messageId?: string,
): Promise<TransformContext> {
  for (const handler of pipeline) await handler.process(context);
  log({
    stage: "transform",
    unit: "pipeline",
    outcome: "done",
    messageId,
    list: context.list.address,
    notes: context.notes,
  });
  return context;
}
