/**
 * A list member's own pages, signed in by a mailed link: subscriptions, delivery options,
 * unsubscribe, and the place of the list's archive. A member acts only on their own memberships
 * (the session's address), through the same store and list functions as the API and RFC 8058.
 */
import { Hono } from "hono";
import { unsubscribeMember } from "../../lists/unsubscribe-member";
import { findListByAddress } from "../../store/lists";
import { findMember, findMembershipsOf, type Member, updateMember } from "../../store/members";
import { enc, formOf } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, Notice } from "../layout";
import { errorPage, render } from "../respond";

export function Subscriptions(props: {
  memberships: (Member & { archiveUrl: string | null })[];
  csrf: string;
  done?: string;
}) {
  return (
    <>
      {props.done ? <Notice kind="ok">{props.done}</Notice> : null}
      {props.memberships.length === 0 ? (
        <Empty>You are not subscribed to any list.</Empty>
      ) : (
        props.memberships.map((m) => (
          <section aria-labelledby={`list-${m.listAddress}`}>
            <h2 id={`list-${m.listAddress}`}>{m.listAddress}</h2>
            <p>
              Status:{" "}
              <strong>
                {m.status === "disabled" ? `not receiving (${m.disabledReason ?? "disabled"})` : m.status}
              </strong>
            </p>
            <form method="post" action={`/admin/me/${enc(m.listAddress)}/options`}>
              <CsrfField csrf={props.csrf} />
              <label class="check">
                <input type="checkbox" name="receive_own" value="yes" checked={m.receiveOwn} /> Send me a copy of my own
                posts
              </label>{" "}
              <button type="submit">Save options</button>
            </form>
            {m.status !== "disabled" ? (
              <form method="post" action={`/admin/me/${enc(m.listAddress)}/unsubscribe`}>
                <CsrfField csrf={props.csrf} />
                <p>
                  <button type="submit" class="danger">
                    Unsubscribe from {m.listAddress}
                  </button>
                </p>
              </form>
            ) : null}
            <p>
              Archive:{" "}
              {m.archiveUrl ? <a href={m.archiveUrl}>the list's archive</a> : "this list has no archive (yet)."}
            </p>
          </section>
        ))
      )}
    </>
  );
}

export const memberSelf = new Hono<WebEnv>()
  .get("/me", async (c) => {
    const address = c.get("principal")!.memberAddress!;
    const memberships = await findMembershipsOf(c.env.DB, address);
    const withArchive = await Promise.all(
      memberships.map(async (m) => ({
        ...m,
        archiveUrl: (await findListByAddress(c.env.DB, m.listAddress))?.archiveUrl ?? null,
      })),
    );
    return render(
      c,
      "My subscriptions",
      <Subscriptions memberships={withArchive} csrf={c.get("csrf")} done={c.req.query("done")} />,
      200,
      "/admin/me",
    );
  })
  .post("/me/:list/options", async (c) => {
    const address = c.get("principal")!.memberAddress!;
    const list = c.req.param("list");
    if (!(await findMember(c.env.DB, list, address))) return errorPage(c, 404, `You are not a member of ${list}.`);
    const form = await formOf(c);
    await updateMember(c.env.DB, list, address, { receiveOwn: form.receive_own === "yes" });
    return c.redirect(`/admin/me?done=${enc(`Options for ${list} saved.`)}`, 303);
  })
  .post("/me/:list/unsubscribe", async (c) => {
    const address = c.get("principal")!.memberAddress!;
    const list = c.req.param("list");
    if (!(await findMember(c.env.DB, list, address))) return errorPage(c, 404, `You are not a member of ${list}.`);
    await unsubscribeMember(c.env.DB, list, address, "web-unsubscribe");
    return c.redirect(`/admin/me?done=${enc(`You are unsubscribed from ${list}.`)}`, 303);
  });
