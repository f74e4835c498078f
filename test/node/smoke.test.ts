import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

// The node project runs in Node, not workerd: it can spawn processes (wrangler, the CLI, browsers).
describe("node project", () => {
  it("runs in Node with child processes", () => {
    expect(execFileSync(process.execPath, ["-e", "process.stdout.write(String(1 + 1))"]).toString()).toBe("2");
  });
});
