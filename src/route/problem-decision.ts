import type { Config } from "../core/config";
import type { ReceiveProblem } from "../receive";
import { type Decision, reject } from "./decision";

/** The SMTP reject for a message receive/ could not accept (size and header-section limits). */
export function problemDecision(problem: ReceiveProblem, config: Config): Decision {
  switch (problem.problem) {
    case "too-large":
      // RFC 3463 5.3.4: "message too big for system".
      return reject("max-size", 552, "5.3.4", `Message exceeds the ${config.maxMessageBytes}-byte size limit`);
    case "header-too-large":
      return reject("header-limits", 552, "5.3.4", "Header section too large");
    case "too-many-header-fields":
      return reject("header-limits", 554, "5.6.0", "Too many header fields");
    case "bare-cr-or-nul":
      // RFC 5322 section 2.2: CR only in CRLF, no NUL. Downstream a bare CR becomes a line break,
      // so a field value could carry fields (or a body) of the sender's choosing: refused whole.
      return reject("header-limits", 554, "5.6.0", "Header section contains a bare CR or a NUL (RFC 5322 section 2.2)");
    case "no-header-section":
      // RFC 5322 section 3.6: Date and From are required; a message without a header is not mail.
      return reject("header-limits", 554, "5.6.0", "Message has no header section (RFC 5322 section 3.6)");
  }
}
