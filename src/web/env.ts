/** The Hono environment of the web interface: Worker bindings plus per-request variables. */
import type { Access } from "../api/access";
import type { ApiCaller } from "../api/in-process";
import type { SessionKind, WebSession } from "../store/sessions";

/** Who is signed in: operators and users act through their API Access; members have none. */
export interface Principal {
  kind: SessionKind;
  /** What the header shows: "admin token", a token's name, a user's name, a member's address. */
  label: string;
  access: Access | null;
  memberAddress: string | null;
}

export type WebEnv = {
  Bindings: Env;
  Variables: {
    session: WebSession | null;
    principal: Principal | null;
    /** The CSRF token the page's forms carry: the session's, or the pre-session cookie's. */
    csrf: string;
    api: ApiCaller;
  };
};
