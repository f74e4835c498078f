/** The account-wide operator pages, mounted together. */
import { Hono } from "hono";
import type { WebEnv } from "../env";
import { destinationPages, suppressionPages } from "./suppressions-destinations";
import { tokenUserPages } from "./tokens-users";

export const accountPages = new Hono<WebEnv>()
  .route("/", tokenUserPages)
  .route("/", suppressionPages)
  .route("/", destinationPages);
