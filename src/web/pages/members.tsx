/**
 * A list's members: search (by the API, over the whole list) and paging, bulk add (paste or CSV, one result per
 * line), bulk remove, roles, bounce scores with "re-enable" (status active clears the score).
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { parseAddress } from "../../mail/address";
import { MEMBER_ROLES } from "../../store/members";
import { apiGet, apiSend, enc, formAll, formOf, query } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, Notice, Pager } from "../layout";
import { problemText, render } from "../respond";
import { ListNav } from "./list-nav";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/lists/routes.ts MemberSchema)
type Json = any;

/** What happened to one pasted line. */
export interface LineResult {
  line: number;
  text: string;
  outcome: "added" | "pending" | "invalid" | "failed";
  detail?: string;
}

/** One import request stays inside the API's MAX_MEMBERS_PER_REQUEST. */
const CHUNK = 500;

/** Parses pasted or CSV text: `address[,display name[,role]]` per line; a header line is skipped. */
export function parseMemberLines(text: string) {
  const valid: { line: number; text: string; member: Json }[] = [];
  const invalid: LineResult[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || (index === 0 && /^"?(e-?mail|address)"?\s*(,|$)/i.test(line))) return;
    const [address = "", name = "", role = ""] = line.split(",").map((s) => s.trim().replace(/^"|"$/g, ""));
    const parsed = parseAddress(address);
    if (!parsed) {
      invalid.push({ line: index + 1, text: line, outcome: "invalid", detail: "not a mail address" });
      return;
    }
    const member: Json = { address };
    if (name) member.display_name = name;
    if (role) {
      if (!(MEMBER_ROLES as readonly string[]).includes(role)) {
        invalid.push({
          line: index + 1,
          text: line,
          outcome: "invalid",
          detail: `role must be ${MEMBER_ROLES.join(", ")}`,
        });
        return;
      }
      member.role = role;
    }
    valid.push({ line: index + 1, text: line, member });
  });
  return { valid, invalid };
}

/** The page of members the API found (the search runs on the server, over the whole list). */
export function MemberTable(props: { list: string; page: Json; q: string; csrf: string }) {
  const items: Json[] = props.page.items ?? [];
  const base = `/admin/lists/${enc(props.list)}/members`;
  return (
    <>
      <form method="get" action={base} class="toolbar">
        <div>
          <label for="q">Search members</label>
          <input type="search" id="q" name="q" value={props.q} />
        </div>
        <button type="submit">Search</button>
      </form>
      {items.length === 0 ? (
        <Empty>{props.q ? "No member matches." : "No members yet: add some below."}</Empty>
      ) : (
        <form method="post" action={`${base}/remove`}>
          <CsrfField csrf={props.csrf} />
          <table>
            <thead>
              <tr>
                <th scope="col">
                  <input type="checkbox" data-select-all="member" aria-label="Select all members" />
                </th>
                <th scope="col">Address</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Bounce score</th>
              </tr>
            </thead>
            <tbody>
              {items.map((m) => (
                <tr>
                  <td>
                    <input type="checkbox" name="member" value={m.address} aria-label={`Select ${m.address}`} />
                  </td>
                  <td>
                    <a href={`${base}/${enc(m.address)}`}>{m.address}</a>
                  </td>
                  <td>{m.display_name ?? ""}</td>
                  <td>{m.role}</td>
                  <td>
                    {m.status}
                    {m.disabled_reason ? ` (${m.disabled_reason})` : ""}
                  </td>
                  <td>{m.bounce_score}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <button type="submit" class="danger">
            Remove selected
          </button>
        </form>
      )}
      <Pager next={props.page.next_cursor} base={base} query={{ q: props.q }} />
    </>
  );
}

export function BulkAdd(props: { list: string; csrf: string; results?: LineResult[] }) {
  const counts = (props.results ?? []).reduce<Record<string, number>>((acc, r) => {
    acc[r.outcome] = (acc[r.outcome] ?? 0) + 1;
    return acc;
  }, {});
  return (
    <>
      <h2>Add members</h2>
      {props.results ? (
        <section aria-label="Import results">
          <Notice kind={counts.invalid || counts.failed ? "error" : "ok"}>
            {`${counts.added ?? 0} added, ${counts.pending ?? 0} pending confirmation, ${counts.invalid ?? 0} invalid, ${counts.failed ?? 0} failed.`}
          </Notice>
          <details open={!!(counts.invalid || counts.failed)}>
            <summary>Result per line</summary>
            <table id="import-results">
              <thead>
                <tr>
                  <th scope="col">Line</th>
                  <th scope="col">Text</th>
                  <th scope="col">Result</th>
                </tr>
              </thead>
              <tbody>
                {props.results.map((r) => (
                  <tr>
                    <td>{r.line}</td>
                    <td>{r.text}</td>
                    <td class={r.outcome === "invalid" || r.outcome === "failed" ? "bad" : "ok"}>
                      {r.outcome}
                      {r.detail ? `: ${r.detail}` : ""}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </section>
      ) : null}
      <form method="post" action={`/admin/lists/${enc(props.list)}/members/add`} enctype="multipart/form-data">
        <CsrfField csrf={props.csrf} />
        <label for="members-text">Addresses</label>
        <p class="help" id="members-help">
          One a line: address, optional display name, optional role (member, moderator, owner), separated by commas.
        </p>
        <textarea id="members-text" name="members" aria-describedby="members-help" />
        <label for="members-csv">Or a CSV file (used instead of the text box)</label>
        <input type="file" id="members-csv" name="csv" accept=".csv,text/csv,text/plain" />
        <p>
          <label class="check">
            <input type="checkbox" name="skip_confirmation" value="yes" /> Add as active at once (I vouch for these
            addresses); otherwise each gets a confirmation mail
          </label>
        </p>
        <p>
          <button type="submit">Add members</button> <progress hidden aria-label="Import in progress" />
        </p>
      </form>
    </>
  );
}

async function membersPage(c: Context<WebEnv>, results?: LineResult[], notice?: string, status = 200) {
  const address = c.req.param("address") ?? "";
  const q = c.req.query("q") ?? "";
  const [list, page] = await Promise.all([
    apiGet(c, `/lists/${enc(address)}`),
    apiGet(c, `/lists/${enc(address)}/members${query({ limit: "100", q, cursor: c.req.query("cursor") })}`),
  ]);
  return render(
    c,
    `Members of ${list.address}`,
    <>
      <ListNav address={list.address} current="members" />
      {notice ? <Notice kind="ok">{notice}</Notice> : null}
      <MemberTable list={list.address} page={page} q={q} csrf={c.get("csrf")} />
      <BulkAdd list={list.address} csrf={c.get("csrf")} results={results} />
    </>,
    status,
  );
}

async function importLines(c: Context<WebEnv>, list: string, text: string, skip: boolean): Promise<LineResult[]> {
  const { valid, invalid } = parseMemberLines(text);
  const results: LineResult[] = [...invalid];
  for (let i = 0; i < valid.length; i += CHUNK) {
    const chunk = valid.slice(i, i + CHUNK);
    const reply = await apiSend(c, "POST", `/lists/${enc(list)}/members`, {
      members: chunk.map((v) => v.member),
      skip_confirmation: skip,
    });
    for (const v of chunk) {
      results.push(
        reply.status === 201
          ? { line: v.line, text: v.text, outcome: skip ? "added" : "pending" }
          : { line: v.line, text: v.text, outcome: "failed", detail: problemText(reply) },
      );
    }
  }
  return results.sort((a, b) => a.line - b.line);
}

export const memberPages = new Hono<WebEnv>()
  .get("/lists/:address/members", (c) => membersPage(c))
  .post("/lists/:address/members/add", async (c) => {
    const address = c.req.param("address");
    const body = await c.req.parseBody({ all: true });
    const file = body.csv;
    // Duck-typed: the multipart parser's File need not be this realm's File class.
    const csv = file && typeof file === "object" && "text" in file && file.size > 0 ? await file.text() : "";
    // A chosen file wins over the text box (the file's lines are the import).
    const text = csv || (typeof body.members === "string" ? body.members : "");
    const results = await importLines(c, address, text, body.skip_confirmation === "yes");
    const status = results.some((r) => r.outcome === "failed") ? 400 : 200;
    return membersPage(c, results, undefined, status);
  })
  .post("/lists/:address/members/remove", async (c) => {
    const address = c.req.param("address");
    const members = await formAll(c, "member");
    let removed = 0;
    for (const member of members) {
      const reply = await apiSend(c, "DELETE", `/lists/${enc(address)}/members/${enc(member)}`);
      if (reply.status === 200) removed++;
    }
    return membersPage(c, undefined, `${removed} member(s) removed.`);
  })
  .get("/lists/:address/members/:member", async (c) => {
    const address = c.req.param("address");
    const m = await apiGet(c, `/lists/${enc(address)}/members/${enc(c.req.param("member"))}`);
    return render(
      c,
      m.address,
      <>
        <ListNav address={address} current="members" />
        {c.req.query("done") ? <Notice kind="ok">Saved.</Notice> : null}
        <p>
          Status: {m.status}
          {m.disabled_reason ? ` (${m.disabled_reason})` : ""}. Bounce score: {m.bounce_score}.
        </p>
        <form method="post">
          <CsrfField csrf={c.get("csrf")} />
          <label for="role">Role</label>
          <select id="role" name="role">
            {MEMBER_ROLES.map((r) => (
              <option value={r} selected={r === m.role}>
                {r}
              </option>
            ))}
          </select>
          <p>
            <label class="check">
              <input type="checkbox" name="receive_own" value="yes" checked={m.receive_own} /> Receives own posts
            </label>
          </p>
          {m.status === "disabled" ? (
            <p>
              <label class="check">
                <input type="checkbox" name="reenable" value="yes" /> Re-enable (clears the bounce score)
              </label>
            </p>
          ) : null}
          <button type="submit">Save member</button>
        </form>
      </>,
    );
  })
  .post("/lists/:address/members/:member", async (c) => {
    const address = c.req.param("address");
    const member = c.req.param("member");
    const form = await formOf(c);
    const body: Json = { role: form.role, receive_own: form.receive_own === "yes" };
    if (form.reenable === "yes") body.status = "active";
    const reply = await apiSend(c, "PATCH", `/lists/${enc(address)}/members/${enc(member)}`, body);
    if (reply.status === 200) return c.redirect(`/admin/lists/${enc(address)}/members/${enc(member)}?done=1`, 303);
    return render(c, member, <Notice kind="error">{problemText(reply)}</Notice>, reply.status);
  });
