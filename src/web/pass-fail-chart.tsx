/**
 * DMARC pass / fail per day as stacked bars (server-rendered SVG, no script), like the
 * dashboard's charts (charts.tsx): an image with a text alternative, and the numbers as a table.
 */

const DAY_MS = 86_400_000;
/** Beyond this many days the chart shows only the days that have reports: one bar stays visible. */
const MAX_SLOTS = 92;
const PASS = "#1a7f37";
const FAIL = "#cf222e";

export interface DayCount {
  /** YYYY-MM-DD (UTC) */
  day: string;
  messages: number;
  passed: number;
}

/** Every UTC day of [from, to), so that days without reports show as gaps, not as nothing. */
function slotsOf(days: DayCount[], from: number, to: number): DayCount[] {
  const byDay = new Map(days.map((d) => [d.day, d]));
  const first = Math.floor(from / DAY_MS) * DAY_MS;
  const count = Math.ceil((to - first) / DAY_MS);
  if (!(count > 0) || count > MAX_SLOTS) return days;
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(first + i * DAY_MS).toISOString().slice(0, 10);
    return byDay.get(day) ?? { day, messages: 0, passed: 0 };
  });
}

export function PassFailChart(props: { days: DayCount[]; from: number; to: number }) {
  const slots = slotsOf(props.days, props.from, props.to);
  const max = Math.max(1, ...slots.map((d) => d.messages));
  const width = 640;
  const height = 180;
  const barWidth = (width - 40) / Math.max(1, slots.length);
  const messages = slots.reduce((sum, d) => sum + d.messages, 0);
  const passed = slots.reduce((sum, d) => sum + d.passed, 0);
  return (
    <figure class="chart" id="chart-dmarc-days">
      <figcaption>DMARC pass and fail per day, as the reporters counted</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height + 20}`}
        role="img"
        aria-label={`${passed} of ${messages} reported messages passed DMARC`}
      >
        <line x1="30" y1={height} x2={width} y2={height} stroke="#57606a" />
        <text x="0" y="12">
          {max}
        </text>
        <text x="0" y={height}>
          0
        </text>
        {slots.map((d, i) => {
          const x = 32 + i * barWidth;
          const w = Math.max(1, barWidth - 2);
          const passHeight = (d.passed / max) * (height - 10);
          const failHeight = ((d.messages - d.passed) / max) * (height - 10);
          return (
            <g>
              {d.passed > 0 ? (
                <rect
                  x={x}
                  y={height - passHeight}
                  width={w}
                  height={passHeight}
                  fill={PASS}
                  data-day={d.day}
                  data-passed={d.passed}
                >
                  <title>{`${d.day}: ${d.passed} passed`}</title>
                </rect>
              ) : null}
              {d.messages - d.passed > 0 ? (
                <rect
                  x={x}
                  y={height - passHeight - failHeight}
                  width={w}
                  height={failHeight}
                  fill={FAIL}
                  data-day={d.day}
                  data-failed={d.messages - d.passed}
                >
                  <title>{`${d.day}: ${d.messages - d.passed} failed`}</title>
                </rect>
              ) : null}
            </g>
          );
        })}
        {slots.length > 0 ? (
          <>
            <text x="32" y={height + 16}>
              {slots[0]?.day}
            </text>
            <text x={width} y={height + 16} text-anchor="end">
              {slots[slots.length - 1]?.day}
            </text>
          </>
        ) : null}
      </svg>
      <ul class="legend">
        {(
          [
            ["passed", PASS],
            ["failed", FAIL],
          ] as const
        ).map(([label, fill]) => (
          <li>
            <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
              <rect width="10" height="10" fill={fill} />
            </svg>
            {label}
          </li>
        ))}
      </ul>
      <details>
        <summary>Numbers</summary>
        <table>
          <caption class="sr-only">DMARC pass and fail per day</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Messages</th>
              <th scope="col">Passed</th>
              <th scope="col">Failed</th>
            </tr>
          </thead>
          <tbody>
            {props.days.map((d) => (
              <tr>
                <th scope="row">{d.day}</th>
                <td>{d.messages}</td>
                <td>{d.passed}</td>
                <td>{d.messages - d.passed}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
