// Runs wrangler as a child process and returns what it printed. The `wrangler` on PATH wins
// (`npm run deploy` puts node_modules/.bin first, tests put a stand-in there); otherwise the
// project's pinned one, with node_modules/.bin (and so Node 22 from the `node` package) on PATH.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

export function wranglerRunner(root, env = process.env) {
  const bin = join(root, "node_modules", ".bin");
  const onPath = (env.PATH ?? "").split(delimiter).some((dir) => dir && existsSync(join(dir, "wrangler")));
  const childEnv = { ...env };
  if (!onPath) childEnv.PATH = `${bin}${delimiter}${env.PATH ?? ""}`;
  // Non-interactive: wrangler never waits on a prompt, and refuses destructive Email Routing
  // changes (rules owned by something else) instead of asking.
  childEnv.CI = "true";
  /**
   * @param {string[]} args
   * @param {{input?: string}} [options]
   * @returns {{status: number, stdout: string, stderr: string, args: string[]}}
   */
  return (args, options = {}) => {
    const result = spawnSync("wrangler", args, {
      cwd: root,
      env: childEnv,
      input: options.input ?? "",
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.error) throw new Error(`cannot run wrangler: ${result.error.message}`);
    return { status: result.status ?? 1, stdout: result.stdout ?? "", stderr: result.stderr ?? "", args };
  };
}

/** The part of wrangler's output worth showing when a command fails: its last lines. */
export function failureText(result) {
  const text = `${result.stderr}\n${result.stdout}`
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0);
  return text.slice(-8).join("\n");
}

export class WranglerError extends Error {
  constructor(what, result) {
    super(`${what} failed (wrangler ${result.args.join(" ")}, exit ${result.status}):\n${failureText(result)}`);
    this.result = result;
  }
}
