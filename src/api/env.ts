/** The Hono environment of the admin API: Worker bindings plus per-request variables. */
import type { Resolver } from "../dns/types";
import type { Access } from "./access";

export type ApiEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    access: Access;
    /** DNS for the routes that look at what a domain publishes (health, reverse names of report sources). */
    resolver: Resolver;
  };
};
