/** The Hono environment of the admin API: Worker bindings plus per-request variables. */
import type { Access } from "./access";

export type ApiEnv = {
  Bindings: Env;
  Variables: {
    requestId: string;
    access: Access;
  };
};
