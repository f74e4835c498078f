/**
 * The fence around mailauth: the only code in src/ that imports `mailauth/lib/*`. Everything else
 * calls these typed functions, so a mailauth upgrade is checked here and in
 * test/mailauth/internals-guard.test.ts, not across the stages.
 *
 * mailauth is imported by parts, not through its `authenticate()`: BIMI's import chain pulls in
 * undici, which does not load in workerd, and Facteur decides itself which Received header to
 * trust for SPF. The crypto compat is installed first, once, for every part below.
 */
import "./crypto-compat";

export { type ArcResult, type ArcSealInput, sealArc, verifyArc } from "./arc";
export {
  type DkimSignature,
  type DkimSigningKey,
  dkimBodyHash,
  pickHeaderFields,
  signDkim,
  signWithBodyHash,
} from "./dkim-sign";
export { type DkimVerifyOptions, type DkimVerifyResult, verifyDkim } from "./dkim-verify";
export { checkDmarc, type DmarcEvaluation, type DmarcInput } from "./dmarc";
export { type BodyHashSignerInput, createBodyHashSigner, type SignCopy } from "./member-signer";
export { type ParsedReceived, parseReceivedField, receivedClientAddress } from "./received";
export { checkSpf, type SpfQuery, type SpfResult } from "./spf";
