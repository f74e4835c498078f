/**
 * Members' sign-in links: 32 random bytes mailed to the address, of which D1 keeps only the
 * SHA-256; single use, MEMBER_LINK_MS long. The mail is a list notice (lists/notice.ts) from the
 * first list the address belongs to, so it goes out through the relay queue like every other
 * notice, signed with the list domain's DKIM key.
 */
import { newId, randomToken } from "../core/ids";
import { toHex, utf8 } from "../credentials/encoding";
import { sendNotice } from "../lists/notice";
import { lookupKey } from "../mail/address";
import { findListByAddress } from "../store/lists";
import { findMembershipsOf } from "../store/members";
import { consumeSignInLink, insertSignInLink } from "../store/sessions";

export const MEMBER_LINK_MS = 30 * 60_000;

async function hashLink(token: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", utf8(token)));
}

/** Mails a link when the address is a member of some list; does nothing (silently) otherwise. */
export async function requestMemberLink(env: Env, address: string, origin: string, now = Date.now()): Promise<boolean> {
  const memberships = await findMembershipsOf(env.DB, address);
  const first = memberships[0];
  const list = first ? await findListByAddress(env.DB, first.listAddress) : null;
  if (!first || !list) return false;
  const token = randomToken(32);
  await insertSignInLink(env.DB, {
    tokenHash: await hashLink(token),
    address: lookupKey(first.address),
    createdAt: now,
    expiresAt: now + MEMBER_LINK_MS,
  });
  const url = `${origin}/admin/sign-in/link/${token}`;
  await sendNotice(env, {
    list,
    notice: {
      to: first.address,
      subject: `Your sign-in link for ${list.address}`,
      text: `Someone (probably you) asked to manage the list subscriptions of ${first.address}.\n\nSign in here within 30 minutes; the link works once:\n\n${url}\n\nIf it was not you, ignore this message.\n`,
    },
    messageLogId: newId(now),
    key: "sign-in-link",
    now,
  });
  return true;
}

/** The address a link signs in, spending the link; null for an unknown, used or expired one. */
export async function consumeMemberLink(env: Env, token: string, now = Date.now()): Promise<string | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  return consumeSignInLink(env.DB, await hashLink(token), now);
}
