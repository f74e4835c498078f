/** A user's own page: their mailboxes, their aliases, and the lists they own or moderate. */
import { Hono } from "hono";
import { findMembershipsOf, type Member } from "../../store/members";
import { findUserByName, type User } from "../../store/users";
import type { WebEnv } from "../env";
import { Empty } from "../layout";
import { errorPage, render } from "../respond";

export function AccountPage(props: { user: User; teams: Member[] }) {
  return (
    <>
      <h2>Mailboxes</h2>
      {props.user.mailboxes.length ? (
        <ul>
          {props.user.mailboxes.map((m) => (
            <li>{m}</li>
          ))}
        </ul>
      ) : (
        <Empty>No mailbox recorded.</Empty>
      )}
      <h2>Aliases</h2>
      {props.user.aliases.length ? (
        <ul>
          {props.user.aliases.map((a) => (
            <li>{a}</li>
          ))}
        </ul>
      ) : (
        <Empty>You own no alias.</Empty>
      )}
      <h2>Lists you own or moderate</h2>
      {props.teams.length ? (
        <ul>
          {props.teams.map((m) => (
            <li>
              {m.listAddress} ({m.role})
            </li>
          ))}
        </ul>
      ) : (
        <Empty>None.</Empty>
      )}
      <h2>Send as one of your aliases</h2>
      <p>
        Submit through <code>POST /api/v1/send</code> with your name and password (HTTP Basic); see{" "}
        <a href="/api/docs">the API documentation</a>.
      </p>
    </>
  );
}

export const account = new Hono<WebEnv>().get("/account", async (c) => {
  const name = c.get("principal")!.access!.userName!;
  const user = await findUserByName(c.env.DB, name);
  if (!user) return errorPage(c, 404, "Your user no longer exists.");
  const memberships = (await Promise.all(user.mailboxes.map((m) => findMembershipsOf(c.env.DB, m)))).flat();
  const teams = memberships.filter((m) => m.role === "owner" || m.role === "moderator");
  return render(c, `Account of ${user.name}`, <AccountPage user={user} teams={teams} />, 200, "/admin/account");
});
