// Where the CLI finds the Worker and its token: flags, then the environment (FACTEUR_URL,
// FACTEUR_TOKEN), then a config file (--config, FACTEUR_CONFIG, or ~/.config/facteur/config.json:
// {"url": "...", "token": "..."}). The token is never printed: `facteur config` says where it came from.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Parsed, take, UsageError } from "./args.ts";

export interface Settings {
  url: string;
  token: string;
  urlSource: string;
  tokenSource: string;
}

export function configPath(parsed: Parsed, env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return take(parsed, "config") ?? env.FACTEUR_CONFIG ?? join(base, "facteur", "config.json");
}

export function resolveSettings(parsed: Parsed, env: NodeJS.ProcessEnv): Partial<Settings> {
  const path = configPath(parsed, env);
  let file: { url?: string; token?: string } = {};
  if (existsSync(path)) {
    try {
      file = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new UsageError(`config file ${path} is not JSON: ${(error as Error).message}`);
    }
  }
  const pick = (flag: string, envName: string, key: "url" | "token") => {
    const fromFlag = take(parsed, flag);
    if (fromFlag) return { value: fromFlag, source: `--${flag}` };
    if (env[envName]) return { value: env[envName], source: envName };
    if (file[key]) return { value: file[key], source: path };
    return { value: undefined, source: "not set" };
  };
  const url = pick("url", "FACTEUR_URL", "url");
  const token = pick("token", "FACTEUR_TOKEN", "token");
  return { url: url.value?.replace(/\/+$/, ""), token: token.value, urlSource: url.source, tokenSource: token.source };
}

export function requireSettings(settings: Partial<Settings>): Settings {
  if (!settings.url) throw new UsageError("no Worker URL: pass --url, set FACTEUR_URL or put url in the config file");
  if (!settings.token)
    throw new UsageError("no token: set FACTEUR_TOKEN, pass --token or put token in the config file");
  return settings as Settings;
}
