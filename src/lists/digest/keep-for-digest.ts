/**
 * A distributed post kept for the digests: when some active member of the list reads a daily or
 * weekly digest, the post (the transformed copy every member gets, before per-member fields) is
 * stored in R2 once under digest/posts/ and waits in digest_posts, one row per digest mode in use,
 * until send-digests.ts claims it. Its own copy, because the delivery body is swept once its
 * deliveries finish and the archive may be off. A retried email() overwrites the same object and
 * inserts no second row.
 */
import { fieldValue } from "../../mail/header-fields";
import { splitMessage } from "../../mail/message-parts";
import { findDigestModesInUse, insertDigestPost } from "../../store/digests";

export function digestPostKey(listAddress: string, postId: string): string {
  return `digest/posts/${listAddress.toLowerCase()}/${postId}.eml`;
}

export async function keepForDigest(
  env: Pick<Env, "DB" | "MAIL">,
  input: { listAddress: string; postId: string; raw: Uint8Array; now: number },
): Promise<number> {
  const modes = await findDigestModesInUse(env.DB, input.listAddress);
  if (modes.length === 0) return 0;
  const key = digestPostKey(input.listAddress, input.postId);
  await env.MAIL.put(key, input.raw, { httpMetadata: { contentType: "message/rfc822" } });
  const fields = splitMessage(input.raw).fields;
  const value = (name: string) => {
    const field = fields.find((f) => f.key === name);
    return field ? fieldValue(field).replace(/\s+/g, " ").trim() : null;
  };
  await env.DB.batch(
    modes.map((mode) =>
      insertDigestPost(env.DB, {
        listAddress: input.listAddress,
        mode,
        postId: input.postId,
        r2Key: key,
        subject: value("subject"),
        author: value("from"),
        size: input.raw.byteLength,
        createdAt: input.now,
      }),
    ),
  );
  return modes.length;
}
