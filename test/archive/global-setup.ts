/**
 * vitest globalSetup: a loopback HTTP helper that reads an mbox with Python's own `mailbox`
 * module (the reference reader of the format), so workerd tests can check Facteur's mbox export
 * against it: POST the bytes to inject("mboxReader").url, get back each message's From line,
 * Subject, Message-ID and body as JSON. POST one message to `<url>mime` instead to get its MIME
 * tree as Python's `email` package parses it (the digest tests: RFC 2046 section 5.1.5).
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

const READER = `
import json, mailbox, sys
out = []
for message in mailbox.mbox(sys.argv[1]):
    payload = message.get_payload(decode=True) if not message.is_multipart() else None
    out.append({"from_line": message.get_from(), "subject": message["subject"], "message_id": message["message-id"],
                "body": payload.decode("utf-8", "replace") if payload is not None else None})
print(json.dumps(out))
`;

const MIME = `
import email, email.policy, json, sys
def tree(part):
    node = {"type": part.get_content_type(), "default": part.get_default_type(),
            "subject": part["subject"], "message_id": part["message-id"], "parts": []}
    if part.is_multipart():
        node["parts"] = [tree(p) for p in part.get_payload()]
    elif part.get_content_maintype() == "text":
        node["text"] = part.get_payload(decode=True).decode("utf-8", "replace")
    return node
with open(sys.argv[1], "rb") as f:
    print(json.dumps(tree(email.message_from_binary_file(f, policy=email.policy.compat32))))
`;

function python(): string {
  return process.env.PYTHON ?? "python3";
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(tmpdir(), "facteur-mbox-"));
  let counter = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const file = path.join(dir, `${++counter}.mbox`);
      await writeFile(file, Buffer.concat(chunks));
      execFile(python(), ["-c", request.url === "/mime" ? MIME : READER, file], (error, stdout, stderr) => {
        response.writeHead(error ? 500 : 200, { "content-type": "application/json" });
        response.end(error ? JSON.stringify({ error: String(error), stderr }) : stdout);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  project.provide("mboxReader", { url: `http://127.0.0.1:${port}/` });
  return async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  };
}
