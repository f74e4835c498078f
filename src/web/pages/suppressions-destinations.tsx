/** Suppressed addresses (add, remove) and verified destinations (record, mark, remove). */
import { Hono } from "hono";
import { apiGet, apiSend, enc, formOf, query } from "../call";
import type { WebEnv } from "../env";
import { CsrfField, Empty, FieldError, Notice, Pager, when } from "../layout";
import { fieldErrors, problemText, render } from "../respond";

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/suppressions, src/api/destinations)
type Json = any;

export function AddressTable(props: {
  kind: "suppressions" | "destinations";
  page: Json;
  csrf: string;
  errors?: Record<string, string>;
  problem?: string;
}) {
  const items: Json[] = props.page.items ?? [];
  const base = `/admin/${props.kind}`;
  const suppressions = props.kind === "suppressions";
  return (
    <>
      {items.length === 0 ? (
        <Empty>{suppressions ? "No address is suppressed." : "No destination recorded yet."}</Empty>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Address</th>
              <th scope="col">{suppressions ? "Reason" : "Verified"}</th>
              <th scope="col">{suppressions ? "Source" : "Recorded"}</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {items.map((row) => (
              <tr>
                <td>{row.address}</td>
                <td>{suppressions ? (row.reason ?? "—") : row.verified ? "✓ verified" : "not verified"}</td>
                <td>{suppressions ? row.source : when(row.created_at)}</td>
                <td>
                  <form method="post" action={`${base}/${enc(row.address)}/delete`} class="inline">
                    <CsrfField csrf={props.csrf} />
                    <button type="submit" class="danger">
                      Remove {row.address}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager next={props.page.next_cursor} base={base} />
      <h2>{suppressions ? "Suppress an address" : "Record a destination"}</h2>
      {props.problem ? <Notice kind="error">{props.problem}</Notice> : null}
      <form method="post" action={base}>
        <CsrfField csrf={props.csrf} />
        <label for="address">Address</label>
        <input type="text" id="address" name="address" required aria-describedby="address-error" />
        <FieldError id="address-error" message={props.errors?.address} />
        {suppressions ? (
          <>
            <label for="reason">Reason</label>
            <input type="text" id="reason" name="reason" />
          </>
        ) : (
          <p>
            <label class="check">
              <input type="checkbox" name="verified" value="yes" checked /> Verified in the Cloudflare account
            </label>
          </p>
        )}
        <p>
          <button type="submit">{suppressions ? "Suppress" : "Record"}</button>
        </p>
      </form>
    </>
  );
}

const TITLES = { suppressions: "Suppressions", destinations: "Verified destinations" } as const;

function resource(kind: "suppressions" | "destinations") {
  return new Hono<WebEnv>()
    .get(`/${kind}`, async (c) => {
      const page = await apiGet(c, `/${kind}${query({ cursor: c.req.query("cursor") })}`);
      return render(
        c,
        TITLES[kind],
        <AddressTable kind={kind} page={page} csrf={c.get("csrf")} />,
        200,
        `/admin/${kind}`,
      );
    })
    .post(`/${kind}`, async (c) => {
      const form = await formOf(c);
      const body =
        kind === "suppressions"
          ? { address: form.address?.trim() ?? "", reason: form.reason?.trim() || null }
          : { address: form.address?.trim() ?? "", verified: form.verified === "yes" };
      const reply = await apiSend(c, "POST", `/${kind}`, body);
      if (reply.status === 201) return c.redirect(`/admin/${kind}`, 303);
      const page = await apiGet(c, `/${kind}`);
      return render(
        c,
        TITLES[kind],
        <AddressTable
          kind={kind}
          page={page}
          csrf={c.get("csrf")}
          errors={fieldErrors(reply)}
          problem={problemText(reply)}
        />,
        reply.status,
      );
    })
    .post(`/${kind}/:address/delete`, async (c) => {
      await apiSend(c, "DELETE", `/${kind}/${enc(c.req.param("address"))}`);
      return c.redirect(`/admin/${kind}`, 303);
    });
}

export const suppressionPages = resource("suppressions");
export const destinationPages = resource("destinations");
