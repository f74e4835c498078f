// list / get / add / set / remove for each resource of the admin API. Every request goes through
// the generated types: a path or field the Worker does not have is a tsc error here.
import { call } from "../api.ts";
import { bodyFromOptions, need, take, UsageError } from "../args.ts";
import { type Context, done, listPages, type Verb } from "./context.ts";

type Body = Record<string, unknown>;
// Bodies are built from --options at run time; the API validates them (400 names each bad field).
const as = <T>(body: Body) => body as NonNullable<T>;

const domains: Record<string, Verb> = {
  list: (c) => listPages(c, (q) => call(c.api.GET("/api/v1/domains", { params: { query: q } }))),
  get: async (c) =>
    done(
      c,
      await call(c.api.GET("/api/v1/domains/{domain}", { params: { path: { domain: need(c.args, 0, "DOMAIN") } } })),
    ),
  add: async (c) => {
    const name = need(c.args, 0, "DOMAIN");
    done(c, await call(c.api.POST("/api/v1/domains", { body: as({ ...bodyFromOptions(c.args), name }) })));
  },
  set: async (c) => {
    const domain = need(c.args, 0, "DOMAIN");
    done(
      c,
      await call(
        c.api.PATCH("/api/v1/domains/{domain}", { params: { path: { domain } }, body: as(bodyFromOptions(c.args)) }),
      ),
    );
  },
  remove: async (c) =>
    done(
      c,
      await call(c.api.DELETE("/api/v1/domains/{domain}", { params: { path: { domain: need(c.args, 0, "DOMAIN") } } })),
    ),
};

const aliases: Record<string, Verb> = {
  list: (c) => {
    const domain = take(c.args, "domain");
    return listPages(c, (q) =>
      call(c.api.GET("/api/v1/aliases", { params: { query: { ...q, ...(domain ? { domain } : {}) } } })),
    );
  },
  get: async (c) =>
    done(
      c,
      await call(c.api.GET("/api/v1/aliases/{address}", { params: { path: { address: need(c.args, 0, "ADDRESS") } } })),
    ),
  add: async (c) => {
    const address = need(c.args, 0, "ADDRESS");
    const to = take(c.args, "to");
    const body = bodyFromOptions(c.args);
    if (to) body.destinations = to.split(",").map((s) => s.trim());
    done(c, await call(c.api.POST("/api/v1/aliases", { body: as({ ...body, address }) })));
  },
  set: async (c) => {
    const address = need(c.args, 0, "ADDRESS");
    const to = take(c.args, "to");
    const body = bodyFromOptions(c.args);
    if (to) body.destinations = to.split(",").map((s) => s.trim());
    done(c, await call(c.api.PATCH("/api/v1/aliases/{address}", { params: { path: { address } }, body: as(body) })));
  },
  remove: async (c) =>
    done(
      c,
      await call(
        c.api.DELETE("/api/v1/aliases/{address}", { params: { path: { address: need(c.args, 0, "ADDRESS") } } }),
      ),
    ),
};

const lists: Record<string, Verb> = {
  list: (c) => {
    const domain = take(c.args, "domain");
    return listPages(
      c,
      (q) => call(c.api.GET("/api/v1/lists", { params: { query: { ...q, ...(domain ? { domain } : {}) } } })),
      ["address", "name", "policy", "dmarc_mode", "enabled"],
    );
  },
  get: async (c) =>
    done(
      c,
      await call(c.api.GET("/api/v1/lists/{address}", { params: { path: { address: need(c.args, 0, "LIST") } } })),
    ),
  add: async (c) => {
    const address = need(c.args, 0, "LIST");
    done(c, await call(c.api.POST("/api/v1/lists", { body: as({ ...bodyFromOptions(c.args), address }) })));
  },
  set: async (c) => {
    const address = need(c.args, 0, "LIST");
    done(
      c,
      await call(
        c.api.PATCH("/api/v1/lists/{address}", { params: { path: { address } }, body: as(bodyFromOptions(c.args)) }),
      ),
    );
  },
  remove: async (c) =>
    done(
      c,
      await call(c.api.DELETE("/api/v1/lists/{address}", { params: { path: { address: need(c.args, 0, "LIST") } } })),
    ),
};

const memberPath = (c: Context) => ({ address: need(c.args, 0, "LIST"), member: need(c.args, 1, "MEMBER") });
const members: Record<string, Verb> = {
  list: (c) => {
    const address = need(c.args, 0, "LIST");
    const status = take(c.args, "status");
    const query = (q: object) => ({ ...q, ...(status ? { status } : {}) }) as { status?: "active" };
    return listPages(c, (q) =>
      call(c.api.GET("/api/v1/lists/{address}/members", { params: { path: { address }, query: query(q) } })),
    );
  },
  get: async (c) =>
    done(c, await call(c.api.GET("/api/v1/lists/{address}/members/{member}", { params: { path: memberPath(c) } }))),
  add: async (c) => {
    const address = need(c.args, 0, "LIST");
    const addresses = c.args.positionals.slice(1);
    if (addresses.length === 0) throw new UsageError("missing MEMBER");
    const skip = c.args.flags.has("skip-confirmation");
    c.args.flags.delete("skip-confirmation");
    const extra = bodyFromOptions(c.args);
    const body = {
      members: addresses.map((a) => as<{ address: string }>({ ...extra, address: a })),
      skip_confirmation: skip,
    };
    done(
      c,
      await call(c.api.POST("/api/v1/lists/{address}/members", { params: { path: { address } }, body: as(body) })),
    );
  },
  set: async (c) => {
    const path = memberPath(c);
    done(
      c,
      await call(
        c.api.PATCH("/api/v1/lists/{address}/members/{member}", {
          params: { path },
          body: as(bodyFromOptions(c.args)),
        }),
      ),
    );
  },
  remove: async (c) =>
    done(c, await call(c.api.DELETE("/api/v1/lists/{address}/members/{member}", { params: { path: memberPath(c) } }))),
};

const moderate =
  (action: "approve" | "reject" | "discard"): Verb =>
  async (c) => {
    const id = need(c.args, 0, "ID");
    const comment = take(c.args, "comment");
    done(
      c,
      await call(
        c.api.POST("/api/v1/held/{id}/{action}", {
          params: { path: { id, action } },
          body: comment ? { comment } : {},
        }),
      ),
    );
  };
const held: Record<string, Verb> = {
  list: (c) => {
    const address = need(c.args, 0, "LIST");
    return listPages(c, (q) =>
      call(c.api.GET("/api/v1/lists/{address}/held", { params: { path: { address }, query: q } })),
    );
  },
  approve: moderate("approve"),
  reject: moderate("reject"),
  discard: moderate("discard"),
};

const messages: Record<string, Verb> = {
  list: (c) => {
    const filters = { rcpt: take(c.args, "rcpt"), decision: take(c.args, "decision") };
    const query = (q: object) => JSON.parse(JSON.stringify({ ...q, ...filters }));
    return listPages(c, (q) => call(c.api.GET("/api/v1/messages", { params: { query: query(q) } })), [
      "id",
      "received_at",
      "mail_from",
      "rcpt_to",
      "decision",
      "reason",
    ]);
  },
};

const deliveries: Record<string, Verb> = {
  list: (c) => {
    const filters = { message: take(c.args, "message"), status: take(c.args, "status") };
    const query = (q: object) => JSON.parse(JSON.stringify({ ...q, ...filters }));
    return listPages(c, (q) => call(c.api.GET("/api/v1/deliveries", { params: { query: query(q) } })));
  },
};

const suppressions: Record<string, Verb> = {
  list: (c) => listPages(c, (q) => call(c.api.GET("/api/v1/suppressions", { params: { query: q } }))),
  add: async (c) => {
    const address = need(c.args, 0, "ADDRESS");
    done(c, await call(c.api.POST("/api/v1/suppressions", { body: as({ ...bodyFromOptions(c.args), address }) })));
  },
  remove: async (c) =>
    done(
      c,
      await call(
        c.api.DELETE("/api/v1/suppressions/{address}", { params: { path: { address: need(c.args, 0, "ADDRESS") } } }),
      ),
    ),
};

const tokens: Record<string, Verb> = {
  list: (c) => listPages(c, (q) => call(c.api.GET("/api/v1/tokens", { params: { query: q } }))),
  // The new token's value is in this response only: it is the one secret the CLI prints, on purpose.
  add: async (c) => {
    const name = need(c.args, 0, "NAME");
    done(c, await call(c.api.POST("/api/v1/tokens", { body: as({ ...bodyFromOptions(c.args), name }) })));
  },
  remove: async (c) =>
    done(c, await call(c.api.DELETE("/api/v1/tokens/{id}", { params: { path: { id: need(c.args, 0, "ID") } } }))),
};

export const RESOURCES: Record<string, Record<string, Verb>> = {
  domains,
  aliases,
  lists,
  members,
  held,
  messages,
  deliveries,
  suppressions,
  tokens,
};
