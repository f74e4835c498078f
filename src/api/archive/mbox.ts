/**
 * A month of a list's archive as an mbox (RFC 4155 application/mbox), streamed post by post.
 * Each message starts with a "From " separator line (envelope sender and asctime date), its lines
 * end in LF, and any line matching /^>*From / in it gets one more ">" (the mboxrd convention, which
 * a reader reverses exactly), and a blank line ends it.
 */
import { listArchivedPosts } from "../../store/archive";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** asctime(3) in UTC, as RFC 4155 section 2 asks for the separator line. */
export function asctime(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** One message as an mbox entry (binary string in, binary string out: bytes stay bytes). */
export function mboxEntry(sender: string, at: number, message: string): string {
  const lines = message.replace(/\r\n/g, "\n").split("\n");
  if (lines.at(-1) === "") lines.pop();
  const body = lines.map((line) => (/^>*From /.test(line) ? `>${line}` : line)).join("\n");
  return `From ${sender || "MAILER-DAEMON"} ${asctime(at)}\n${body}\n\n`;
}

const binary = (bytes: Uint8Array) => {
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return out;
};
const toBytes = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

export function streamMbox(
  env: Pick<Env, "DB" | "MAIL">,
  listAddress: string,
  month: string,
): ReadableStream<Uint8Array> {
  let after = "";
  let queue: { r2Key: string; archivedAt: number; author: string | null; id: string }[] = [];
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        while (queue.length === 0 && !done) {
          queue = await listArchivedPosts(env.DB, listAddress, { month }, { after, limit: 50 });
          if (queue.length < 50) done = true;
          after = queue.at(-1)?.id ?? after;
        }
        const post = queue.shift();
        if (!post) return controller.close();
        const object = await env.MAIL.get(post.r2Key);
        if (!object) continue;
        const sender = /<([^<>\s]+@[^<>\s]+)>/.exec(post.author ?? "")?.[1] ?? post.author?.trim() ?? "";
        const entry = mboxEntry(
          /\s/.test(sender) ? "" : sender,
          post.archivedAt,
          binary(new Uint8Array(await object.arrayBuffer())),
        );
        controller.enqueue(toBytes(entry));
        return;
      }
    },
  });
}
