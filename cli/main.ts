// The `facteur` command: parses the words, finds the Worker and the token, runs one verb.
// Exit codes: 0 success, 1 the API refused or could not be reached, 2 bad usage.
import { ApiError, client } from "./api.ts";
import { parseArgs, UsageError } from "./args.ts";
import type { Context, Verb } from "./commands/context.ts";
import { checkDns } from "./commands/dns.ts";
import { tailLogs } from "./commands/logs.ts";
import { importMembers } from "./commands/members-import.ts";
import { RESOURCES } from "./commands/resources.ts";
import type { Out } from "./output.ts";
import { requireSettings, resolveSettings } from "./settings.ts";

export const USAGE = `facteur: the Facteur admin API from a terminal

usage: facteur [--url URL] [--config FILE] [--json] RESOURCE VERB [ARGS] [--field value ...]

  domains       list | get DOMAIN | add DOMAIN [--catch-all a@x,b@x] [--relay-url URL] | set DOMAIN ... | remove DOMAIN
  aliases       list [--domain D] | get ADDRESS | add ADDRESS --to a@x,b@x [--description T] | set ADDRESS ... | remove ADDRESS
  lists         list [--domain D] | get LIST | add LIST [--name N] [--policy P] ... | set LIST ... | remove LIST
  members       list LIST [--status S] | get LIST MEMBER | add LIST MEMBER... [--role R] [--skip-confirmation]
                | set LIST MEMBER [--role R] [--status S] | remove LIST MEMBER
                | import LIST FILE [--format csv|mailman] [--skip-confirmation]
  held          list LIST | approve ID | reject ID [--comment T] | discard ID
  messages      list [--rcpt A] [--decision D]
  deliveries    list [--message ID] [--status S]
  suppressions  list | add ADDRESS [--reason T] | remove ADDRESS
  tokens        list | add NAME [--scopes domain:example.com] [--user U] | remove ID
  logs tail     [--rcpt A] [--decision D] [--interval SECONDS] [--lines N]
  dns check     DOMAIN [--doh URL]
  config        where the URL and token come from (the token itself is never printed)

  Lists take --limit N, --cursor C and --all. Output is a table; --json prints the API's JSON.
  The Worker URL and token come from --url/--token, FACTEUR_URL/FACTEUR_TOKEN, or the config file
  (--config, FACTEUR_CONFIG, ~/.config/facteur/config.json: {"url": "...", "token": "..."}).
  Exit status: 0 success, 1 API error, 2 bad usage.`;

const EXTRA: Record<string, Record<string, Verb>> = {
  members: { import: importMembers },
  logs: { tail: tailLogs },
  dns: { check: checkDns },
};

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, io?: Partial<Out>): Promise<number> {
  const out: Out = {
    json: false,
    write: io?.write ?? ((text) => process.stdout.write(`${text}\n`)),
    error: io?.error ?? ((text) => process.stderr.write(`${text}\n`)),
  };
  try {
    const args = parseArgs(argv);
    out.json = args.flags.has("json");
    const [resource, verb] = args.positionals;
    if (args.flags.has("help") || resource === "help" || !resource) {
      out.write(USAGE);
      return resource || args.flags.has("help") ? 0 : 2;
    }
    const settings = resolveSettings(args, env);
    if (resource === "config") {
      out.write(`url    ${settings.url ?? "(not set)"}  (${settings.urlSource})`);
      out.write(`token  ${settings.token ? "set" : "not set"}  (${settings.tokenSource})`);
      return 0;
    }
    const verbs = { ...RESOURCES[resource], ...EXTRA[resource] };
    if (Object.keys(verbs).length === 0) throw new UsageError(`unknown resource "${resource}" (facteur --help)`);
    const run = verb ? verbs[verb] : undefined;
    if (!run) throw new UsageError(`${resource}: verb is one of ${Object.keys(verbs).join(", ")}`);
    args.positionals.splice(0, 2);
    const ctx: Context = { args, api: client(requireSettings(settings)), out, env };
    await run(ctx);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      out.error(`facteur: ${error.message}`);
      return 2;
    }
    if (error instanceof ApiError) {
      out.error(`facteur: ${error.message}`);
      return 1;
    }
    throw error;
  }
}
