import { describe, expect, it } from "vitest";
import { webhookUrlProblem } from "../../src/webhooks/url-policy";

describe("webhook URL policy", () => {
  it("accepts https everywhere", () => {
    expect(webhookUrlProblem("https://hooks.example/in", "production")).toBeNull();
    expect(webhookUrlProblem("https://hooks.example/in", "development")).toBeNull();
  });
  it("accepts http only for the loopback host in development", () => {
    expect(webhookUrlProblem("http://localhost:8787/in", "development")).toBeNull();
    expect(webhookUrlProblem("http://127.0.0.1:9000/in", "development")).toBeNull();
    expect(webhookUrlProblem("http://[::1]:9000/in", "development")).toBeNull();
    expect(webhookUrlProblem("http://hooks.example/in", "development")).toMatch(/https/);
    expect(webhookUrlProblem("http://localhost.evil.example/in", "development")).toMatch(/https/);
  });
  it("refuses http, other schemes and credentials in production", () => {
    expect(webhookUrlProblem("http://localhost:8787/in", "production")).toMatch(/production/);
    expect(webhookUrlProblem("http://localhost:8787/in", undefined)).toMatch(/production/);
    expect(webhookUrlProblem("ftp://hooks.example/in", "production")).not.toBeNull();
    expect(webhookUrlProblem("https://user:pw@hooks.example/in", "production")).toMatch(/credentials/);
    expect(webhookUrlProblem("not a url", "production")).not.toBeNull();
  });
});
