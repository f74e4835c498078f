/**
 * Bounds on what one report may cost. Reports arrive from the whole Internet, and RFC 7489
 * section 7.2.1.1 lets a reporter compress them, so every size below is checked while inflating
 * or before parsing, never after. Each limit sits far above what real reporters send and far below
 * what would exhaust a Worker (128 MB of memory, DESIGN.md).
 */

/**
 * Largest uncompressed report document. The largest real report in the corpus is 0.9 MB (2,286
 * records); daily reports of large senders stay in the low megabytes. 8 MiB of XML is a 16 MB
 * JavaScript string plus a parsed tree of a few times that: well inside 128 MB.
 */
export const MAX_REPORT_BYTES = 8 * 1024 * 1024;

/** Sum of every inflated member of one archive: a zip of many just-under-the-limit members is refused too. */
export const MAX_INFLATED_TOTAL_BYTES = 2 * MAX_REPORT_BYTES;

/**
 * Zip entries. A reporter zips one XML file (sometimes beside a directory entry); anything with
 * more entries is not a report, and each entry would cost an inflate.
 */
export const MAX_ZIP_ENTRIES = 8;

/**
 * Records per aggregate report. At about 400 bytes a record, MAX_REPORT_BYTES holds some 20,000;
 * the limit is checked before the tree is built, so a report of 100,000 tiny records is refused
 * without parsing it. Each stored record is one D1 row.
 */
export const MAX_RECORDS = 20_000;

/**
 * XML element nesting. A DMARC aggregate report nests five deep (feedback/record/auth_results/
 * dkim/domain); deeper nesting is only a way to make the parser's stack grow.
 */
export const MAX_XML_DEPTH = 16;

/** Containers peeled from the outside in: email → zip → gzip → gzip is the deepest real case. */
export const MAX_CONTAINER_DEPTH = 4;

/** Reports taken from one email: reporters send one; a message with more is probably not a report. */
export const MAX_REPORTS_PER_MESSAGE = 8;

/** TLS-RPT policies per report and failure details per policy (RFC 8460 section 4.4). */
export const MAX_TLS_POLICIES = 1_000;
export const MAX_TLS_FAILURE_DETAILS = 1_000;

/**
 * Bytes fed to an inflater at once. DEFLATE expands at most about 1,032:1 (RFC 1951's longest
 * match of 258 bytes from 2 bits), so 4 KiB of input yields at most about 4 MiB before the byte
 * counter gets to look at it.
 */
export const INFLATE_INPUT_CHUNK = 4 * 1024;
