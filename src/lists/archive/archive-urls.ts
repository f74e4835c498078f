/**
 * Where a list's archive is read: the list page (RFC 2369 List-Archive) and one post's page
 * (RFC 5064 Archived-At). The post id is the post's own id, known before fan-out, so every copy
 * can carry its Archived-At.
 */
import { publicBaseUrl } from "../unsubscribe-url";

export function archiveListUrl(env: Pick<Env, "PUBLIC_URL">, list: { address: string; domain: string }): string {
  return `${publicBaseUrl(env, list.domain)}/archive/${encodeURIComponent(list.address)}`;
}

export function archivePostUrl(
  env: Pick<Env, "PUBLIC_URL">,
  list: { address: string; domain: string },
  postId: string,
): string {
  return `${archiveListUrl(env, list)}/posts/${encodeURIComponent(postId)}`;
}

export function archiveKey(listAddress: string, postId: string): string {
  return `archive/${listAddress.toLowerCase()}/${postId}.eml`;
}
