/**
 * Every message of the MIME corpus (postal-mime, mailparser and enmime test fixtures: torture
 * tests, broken encodings, bad boundaries, huge single lines, deep nesting) through email().
 * Each gets a clean decision (forwarded, or a 5xx reply with an enhanced status), a log row and
 * bounded time; a crash or a hang fails the test. Nothing in the zone authenticates these
 * senders, so the decision depends only on the message's own From field(s).
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { DESTINATION, SMTP_REJECT, seed, send } from "./harness";

const corpus = inject("mimeCorpus");
/** The vitest pool is about 4x slower than production; a 1 MB corpus file takes well under this. */
const TIME_BOUND_MS = 10_000;

const observed = new Map<string, string>();

beforeAll(seed);

describe("MIME corpus through email()", () => {
  it("finds the corpus", () => {
    expect(corpus.files.length, `no messages under ${corpus.dataDir}`).toBeGreaterThanOrEqual(100);
  });

  it.each(corpus.files)("%s", async (file) => {
    const response = await fetch(`${corpus.baseUrl}/${encodeURIComponent(file)}`);
    expect(response.status, await response.clone().text()).toBe(200);
    const raw = new Uint8Array(await response.arrayBuffer());
    const sent = await send(raw);
    expect(sent.ms).toBeLessThan(TIME_BOUND_MS);
    expect(sent.row, "no message log row").not.toBeNull();
    if (sent.rejected === undefined) {
      expect(sent.row?.decision).toBe("forwarded");
      expect(sent.forwards).toEqual([DESTINATION]);
    } else {
      expect(sent.rejected).toMatch(SMTP_REJECT);
      expect(sent.forwards).toEqual([]);
      expect(sent.row?.decision).toBe("rejected");
      expect(sent.row?.smtp_reply).toBe(sent.rejected);
    }
    observed.set(file, sent.rejected ?? "forwarded");
  });

  it("summarises the decisions", () => {
    const counts = new Map<string, number>();
    for (const outcome of observed.values()) {
      const key = outcome === "forwarded" ? outcome : outcome.slice(0, 9);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    console.log(
      `MIME corpus: ${observed.size}/${corpus.files.length} messages decided: ${[...counts].map(([k, n]) => `${k} ×${n}`).join(", ")}`,
    );
    for (const [file, outcome] of observed) if (outcome !== "forwarded") console.log(`  ${file}: ${outcome}`);
    expect(observed.size).toBe(corpus.files.length);
  });
});
