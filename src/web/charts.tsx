/**
 * Server-rendered SVG charts (no chart library, no script). Each chart is an image with a text
 * alternative, and its numbers are also given as a table for screen readers and for copying.
 */

const COLORS: Record<string, string> = {
  forwarded: "#1a7f37",
  relayed: "#0969da",
  list: "#8250df",
  held: "#bf8700",
  rejected: "#cf222e",
  discarded: "#57606a",
  deferred: "#bc4c00",
  sent: "#1a7f37",
  queued: "#0969da",
  bounced: "#cf222e",
  failed: "#82071e",
};
const color = (key: string) => COLORS[key] ?? "#6e7781";

export interface HourCount {
  hour: number;
  decision: string;
  count: number;
}

/** Inbound messages per hour, stacked by decision, over `hours` hours ending at `now`. */
export function HourlyChart(props: { rows: HourCount[]; now: number; hours?: number }) {
  const hours = props.hours ?? 24;
  const hourMs = 3_600_000;
  const last = Math.floor(props.now / hourMs) * hourMs;
  const slots = Array.from({ length: hours }, (_, i) => last - (hours - 1 - i) * hourMs);
  const decisions = [...new Set(props.rows.map((r) => r.decision))].sort();
  const byHour = new Map<number, Map<string, number>>();
  for (const row of props.rows) {
    const slot = byHour.get(row.hour) ?? new Map();
    slot.set(row.decision, row.count);
    byHour.set(row.hour, slot);
  }
  const max = Math.max(1, ...slots.map((h) => [...(byHour.get(h)?.values() ?? [])].reduce((a, b) => a + b, 0)));
  const width = 480;
  const height = 180;
  const barWidth = (width - 40) / hours;
  const total = props.rows.reduce((sum, r) => sum + r.count, 0);
  return (
    <figure class="chart" id="chart-inbound">
      <figcaption>Inbound messages per hour, by decision (last {hours} h)</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height + 20}`}
        role="img"
        aria-label={`${total} inbound messages in the last ${hours} hours`}
      >
        <line x1="30" y1={height} x2={width} y2={height} stroke="#57606a" />
        <text x="0" y="12">
          {max}
        </text>
        <text x="0" y={height}>
          0
        </text>
        {slots.map((hour, i) => {
          let y = height;
          return decisions.map((decision) => {
            const count = byHour.get(hour)?.get(decision) ?? 0;
            if (!count) return null;
            const h = (count / max) * (height - 10);
            y -= h;
            return (
              <rect
                x={32 + i * barWidth}
                y={y}
                width={Math.max(1, barWidth - 2)}
                height={h}
                fill={color(decision)}
                data-decision={decision}
                data-count={count}
              >
                <title>{`${new Date(hour).toISOString().slice(11, 16)} ${decision}: ${count}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <Legend keys={decisions} />
      <CountTable
        caption="Inbound by decision"
        rows={decisions.map((d) => [d, props.rows.filter((r) => r.decision === d).reduce((a, r) => a + r.count, 0)])}
      />
    </figure>
  );
}

/** Horizontal bars, one per label. */
export function BarChart(props: { id: string; title: string; rows: [string, number][]; colorByLabel?: boolean }) {
  const max = Math.max(1, ...props.rows.map(([, n]) => n));
  const rowHeight = 22;
  const width = 480;
  const height = Math.max(1, props.rows.length) * rowHeight + 6;
  return (
    <figure class="chart" id={props.id}>
      <figcaption>{props.title}</figcaption>
      {props.rows.length === 0 ? (
        <p class="empty">Nothing yet.</p>
      ) : (
        <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={props.title}>
          {props.rows.map(([label, count], i) => (
            <g>
              <text x="0" y={i * rowHeight + 15}>
                {label.length > 28 ? `${label.slice(0, 27)}…` : label}
              </text>
              <rect
                x="180"
                y={i * rowHeight + 4}
                width={Math.max(2, (count / max) * (width - 230))}
                height="14"
                fill={props.colorByLabel ? color(label) : "#0969da"}
                data-label={label}
                data-count={count}
              />
              <text x={186 + (count / max) * (width - 230)} y={i * rowHeight + 15}>
                {count}
              </text>
            </g>
          ))}
        </svg>
      )}
      <CountTable caption={props.title} rows={props.rows} />
    </figure>
  );
}

/** The DMARC pass rate as one filled bar and a percentage. */
export function RateChart(props: { pass: number; total: number }) {
  const rate = props.total ? props.pass / props.total : 0;
  const percent = Math.round(rate * 1000) / 10;
  return (
    <figure class="chart" id="chart-dmarc">
      <figcaption>DMARC pass rate of inbound mail</figcaption>
      <svg viewBox="0 0 480 60" role="img" aria-label={`DMARC pass rate ${percent}% of ${props.total} messages`}>
        <rect x="0" y="10" width="400" height="24" fill="#eaeef2" />
        <rect x="0" y="10" width={400 * rate} height="24" fill="#1a7f37" data-rate={percent} />
        <text x="410" y="27">{`${percent}%`}</text>
        <text x="0" y="52">{`${props.pass} of ${props.total} messages passed DMARC`}</text>
      </svg>
    </figure>
  );
}

function Legend(props: { keys: string[] }) {
  return (
    <ul class="legend">
      {props.keys.map((key) => (
        <li>
          {/* A presentation attribute, not a style attribute: the CSP allows no inline style. */}
          <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
            <rect width="10" height="10" fill={color(key)} />
          </svg>
          {key}
        </li>
      ))}
    </ul>
  );
}

function CountTable(props: { caption: string; rows: [string, number][] }) {
  return (
    <details>
      <summary>Numbers</summary>
      <table>
        <caption class="sr-only">{props.caption}</caption>
        <tbody>
          {props.rows.map(([label, count]) => (
            <tr>
              <th scope="row">{label}</th>
              <td>{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
