/** The sub-navigation of one list's pages. */
import { enc } from "../call";

export function ListNav(props: { address: string; current: "settings" | "members" | "held" }) {
  const base = `/admin/lists/${enc(props.address)}`;
  const links: [string, string, string][] = [
    ["settings", base, "Settings"],
    ["members", `${base}/members`, "Members"],
    ["held", `${base}/held`, "Held posts"],
  ];
  return (
    <nav aria-label="List pages" class="toolbar">
      {links.map(([key, href, label]) => (
        <a href={href} aria-current={props.current === key ? "page" : undefined}>
          {label}
        </a>
      ))}
    </nav>
  );
}
