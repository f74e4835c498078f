/** The page shell and the small shared pieces every page uses. Text is escaped by hono/jsx. */
import type { Child } from "hono/jsx";
import type { Principal } from "./env";
import { isOperator } from "./principal";

const OPERATOR_NAV: [string, string][] = [
  ["/admin", "Dashboard"],
  ["/admin/domains", "Domains"],
  ["/admin/aliases", "Aliases"],
  ["/admin/destinations", "Destinations"],
  ["/admin/lists", "Lists"],
  ["/admin/logs", "Inbound log"],
  ["/admin/deliveries", "Deliveries"],
  ["/admin/suppressions", "Suppressions"],
  ["/admin/tokens", "Tokens"],
  ["/admin/users", "Users"],
];

function navFor(principal: Principal | null): [string, string][] {
  if (!principal) return [];
  if (principal.kind === "member") return [["/admin/me", "My subscriptions"]];
  if (isOperator(principal)) return OPERATOR_NAV;
  return [["/admin/account", "My account"]];
}

export function Layout(props: {
  title: string;
  principal: Principal | null;
  csrf: string;
  children?: Child;
  current?: string;
}) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{`${props.title} · Facteur`}</title>
        <link rel="stylesheet" href="/static/facteur.css" />
        <link rel="icon" href="/static/icon.svg" type="image/svg+xml" />
        <script src="/static/facteur.js" defer />
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/admin">
            Facteur
          </a>
          <nav aria-label="Main">
            <ul>
              {navFor(props.principal).map(([href, label]) => (
                <li>
                  <a href={href} aria-current={props.current === href ? "page" : undefined}>
                    {label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {props.principal ? (
            <form method="post" action="/admin/sign-out" class="who">
              <span>{props.principal.label}</span>
              <CsrfField csrf={props.csrf} />
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        <main>
          <h1>{props.title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

export function CsrfField(props: { csrf: string }) {
  return <input type="hidden" name="_csrf" value={props.csrf} />;
}

/** An error shown beside the field it concerns. */
export function FieldError(props: { id: string; message?: string | null }) {
  return props.message ? (
    <p class="field-error" id={props.id} role="alert">
      {props.message}
    </p>
  ) : null;
}

export function Notice(props: { kind: "ok" | "error"; children?: Child }) {
  return (
    <p class={`notice notice-${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </p>
  );
}

export function Empty(props: { children?: Child }) {
  return <p class="empty">{props.children}</p>;
}

/** "Next page" link: the API's cursor passed on as ?cursor=, other query parameters kept. */
export function Pager(props: { next: string | null; base: string; query?: Record<string, string | undefined> }) {
  if (!props.next) return null;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(props.query ?? {})) if (value) params.set(key, value);
  params.set("cursor", props.next);
  return (
    <nav class="pager" aria-label="Pages">
      <a href={`${props.base}?${params}`}>Next page →</a>
    </nav>
  );
}

export function when(ms: string | number | null | undefined): string {
  if (ms === null || ms === undefined) return "—";
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString().replace("T", " ").slice(0, 19);
}
