/**
 * An accepted post (or an approved held one): decide the DMARC mitigation, run the transform
 * pipeline once, store the result in R2 once, and queue the fan-out pages.
 */

import type { AuthResults } from "../authenticate";
import { loadSigningKey, type SigningKey } from "../credentials/dkim-keys";
import { storeDeliveryBody } from "../deliver/enqueue";
import { headerEnd } from "../mail/header-section";
import { joinMessage, splitMessage } from "../mail/message-parts";
import { listAddresses } from "../mail/minted-address";
import { findArchivePolicy } from "../store/archive";
import { LIST_PIPELINE, runPipeline } from "../transform/pipeline";
import type { DmarcMitigation, TransformContext } from "../transform/types";
import { archivePost } from "./archive/archive-post";
import { archiveListUrl, archivePostUrl } from "./archive/archive-urls";
import { keepForDigest } from "./digest/keep-for-digest";
import { startFanout } from "./fanout";
import { decideDmarcMitigation } from "./rules/dmarc-policy";
import { type List, listIdOf } from "./types";

export interface PostToDistribute {
  messageLogId: string;
  list: List;
  raw: Uint8Array;
  auth: Pick<AuthResults, "header" | "arc" | "dmarc" | "authenticated">;
  author: { address: string; display: string | undefined };
  now: number;
}

export interface Distribution {
  r2Key: string;
  pages: number;
  mitigation: DmarcMitigation;
  signed: boolean;
}

export function listPostKey(messageLogId: string): string {
  return `list/${messageLogId}.eml`;
}

export async function distributePost(
  env: Env,
  post: PostToDistribute,
  deps: { loadKey?: (env: Env, domain: string) => Promise<SigningKey | null> } = {},
): Promise<Distribution> {
  const { list } = post;
  const signingKey = await (deps.loadKey ?? loadSigningKey)(env, list.domain);
  const authorDomain = post.author.address.slice(post.author.address.lastIndexOf("@") + 1);
  const mitigation = decideDmarcMitigation(list, post.auth.dmarc, authorDomain);
  const archives = (await findArchivePolicy(env.DB, list.address)) !== "off";
  const context: TransformContext = {
    list,
    addresses: listAddresses(list),
    listId: listIdOf(list),
    auth: post.auth,
    author: post.author,
    mitigation,
    signingKey,
    now: post.now,
    original: post.raw,
    message: splitMessage(post.raw),
    notes: [],
    ...(archives
      ? { archive: { listUrl: archiveListUrl(env, list), postUrl: archivePostUrl(env, list, post.messageLogId) } }
      : {}),
  };
  await runPipeline(LIST_PIPELINE, context, post.messageLogId);
  const out = joinMessage(context.message);
  const r2Key = listPostKey(post.messageLogId);
  // Deterministic key: a retried email() overwrites the same object (deliver/enqueue.ts).
  await storeDeliveryBody(env, r2Key, out, { messageLogId: post.messageLogId, origin: "list", list: list.address });
  // The copy every member gets, before fan-out adds their unsubscribe URL and VERP sender.
  if (archives)
    await archivePost(env, { listAddress: list.address, postId: post.messageLogId, raw: out, now: post.now });
  await keepForDigest(env, { listAddress: list.address, postId: post.messageLogId, raw: out, now: post.now });
  const pages = await startFanout(env, {
    messageLogId: post.messageLogId,
    list,
    r2Key,
    headerBytes: headerEnd(out),
    author: post.author.address.toLowerCase(),
    dkim:
      context.dkim && signingKey
        ? { bodyHash: context.dkim.bodyHash, headerList: context.dkim.headerList, selector: signingKey.selector }
        : null,
    signedAt: post.now,
    senderAuthenticated: post.auth.authenticated,
  });
  // Issue 10 item 17: no active member, no delivery row will ever name the body, and the sweep of
  // finished deliveries would never delete it: it goes now (the archive keeps its own copy).
  if (pages === 0) await env.MAIL.delete(r2Key);
  return { r2Key, pages, mitigation, signed: Boolean(context.dkim) };
}
