/**
 * The DNS health check's findings (health/check.ts through GET /api/v1/domains/{domain}/health) as
 * a table: each finding with its severity, the exact fix and the record to publish with a copy
 * button. Shared by the live DNS check page and the domain-health page.
 */

// biome-ignore lint/suspicious/noExplicitAny: API JSON (src/api/domain-health DomainHealth)
type Json = any;

export function FindingsTable(props: { id: string; findings: Json[] }) {
  return (
    <table id={props.id}>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Severity</th>
          <th scope="col">Problem</th>
          <th scope="col">What to do</th>
        </tr>
      </thead>
      <tbody>
        {props.findings.map((f, i) => (
          <tr data-check={f.check} data-severity={f.severity}>
            <td>{f.check}</td>
            <td class={f.severity === "error" ? "bad" : undefined}>{f.severity}</td>
            <td>{f.problem}</td>
            <td>
              {f.fix}
              {f.record ? (
                <div class="record">
                  <code id={`fix-${i}`}>{`${f.record.name} ${f.record.type} ${f.record.content}`}</code>
                  <button type="button" class="secondary" data-copy={`fix-${i}`}>
                    Copy
                  </button>
                </div>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
