/**
 * Every message of the MIME corpus (postal-mime, mailparser and enmime test fixtures: torture
 * tests, broken encodings, bad boundaries, huge single lines, deep nesting) through email().
 * Each must get exactly the decision recorded for it in mime-corpus-expected.ts (forwarded, or
 * the SMTP reply code and enhanced status, and the rule that decided), a log row and bounded
 * time; a crash, a hang or any other decision fails the test. Nothing in the zone authenticates
 * these senders, so the decision depends only on the message's own header section.
 */
import { beforeAll, describe, expect, inject, it } from "vitest";
import { DESTINATION, SMTP_REJECT, seed, send } from "./harness";
import { MIME_CORPUS_EXPECTED } from "./mime-corpus-expected";

const corpus = inject("mimeCorpus");
/** The vitest pool is about 4x slower than production; a 1 MB corpus file takes well under this. */
const TIME_BOUND_MS = 10_000;

beforeAll(seed);

describe("MIME corpus through email()", () => {
  it("finds the corpus, and the table names exactly its files", () => {
    expect(corpus.files.length, `no messages under ${corpus.dataDir}`).toBeGreaterThanOrEqual(100);
    const listed = Object.keys(MIME_CORPUS_EXPECTED).sort();
    expect(
      corpus.files.filter((f) => !(f in MIME_CORPUS_EXPECTED)),
      "corpus files without an expected decision",
    ).toEqual([]);
    expect(
      listed.filter((f) => !corpus.files.includes(f)),
      "expected decisions for files not in the corpus",
    ).toEqual([]);
  });

  it.each(corpus.files)("%s", async (file) => {
    const expected = MIME_CORPUS_EXPECTED[file];
    expect(expected, `${file} has no row in mime-corpus-expected.ts`).toBeDefined();
    const [outcome, rule] = expected!;
    const response = await fetch(`${corpus.baseUrl}/${encodeURIComponent(file)}`);
    expect(response.status, await response.clone().text()).toBe(200);
    const raw = new Uint8Array(await response.arrayBuffer());
    const sent = await send(raw);
    expect(sent.ms).toBeLessThan(TIME_BOUND_MS);
    expect(sent.row, "no message log row").not.toBeNull();
    expect(sent.row?.rule).toBe(rule);
    if (outcome === "forward") {
      expect(sent.rejected).toBeUndefined();
      expect(sent.row?.decision).toBe("forwarded");
      expect(sent.forwards).toEqual([DESTINATION]);
    } else {
      expect(sent.rejected).toMatch(SMTP_REJECT);
      expect(sent.rejected?.slice(0, outcome.length + 1)).toBe(`${outcome} `);
      expect(sent.forwards).toEqual([]);
      expect(sent.row?.decision).toBe("rejected");
      expect(sent.row?.smtp_reply).toBe(sent.rejected);
    }
  });
});
