import type { PostContext, PostRule } from "./types";

function activeMember({ member }: PostContext) {
  return member && member.status === "active" ? member : null;
}

/** announce lists: only active owners and moderators post, and only when they authenticated. */
export const announceOnly: PostRule = {
  name: "announce-only",
  description: "announce list: the author is not an authenticated owner or moderator",
  check(context) {
    if (context.list.policy !== "announce") return undefined;
    const member = activeMember(context);
    if (!member || member.role === "member")
      return `${context.author ?? "the author"} may not post to an announce list`;
    if (!context.auth.authenticated) return `${context.author} did not authenticate (DMARC/aligned DKIM/SPF)`;
    return undefined;
  },
};

/** members lists: the From author must be an active member. */
export const nonMember: PostRule = {
  name: "non-member",
  description: "members list: the author is not an active member",
  check(context) {
    if (context.list.policy !== "members") return undefined;
    return activeMember(context)
      ? undefined
      : `${context.author ?? "the author"} is not a member of ${context.list.address}`;
  },
};

/**
 * members lists: being a member is not enough, the From must be proven: DMARC pass, or DKIM or
 * SPF aligned with the From domain (RFC 7489 section 3.1). Otherwise anyone could post as a
 * member by writing their address in From.
 */
export const unauthenticatedMember: PostRule = {
  name: "unauthenticated-member",
  description: "members list: the author's From is not authenticated",
  check(context) {
    if (context.list.policy !== "members" || context.auth.authenticated) return undefined;
    const { dmarc, dkim } = context.auth;
    return `${context.author} did not authenticate (dmarc=${dmarc.result}, dkim=${dkim.result})`;
  },
};

/** moderated lists: every post waits for a moderator. */
export const moderated: PostRule = {
  name: "moderated",
  description: "moderated list: every post is held",
  check({ list }) {
    return list.policy === "moderated" ? "the list is moderated" : undefined;
  },
};
