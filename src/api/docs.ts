/**
 * GET /api/docs: Swagger UI over /api/openapi.json. Its script and stylesheet are the pinned
 * swagger-ui-dist's files served by this Worker (public/vendor/, Workers Static Assets), and the
 * page's own start-up code is a static file, so the page works offline and under a CSP without
 * inline script.
 */
import type { Context } from "hono";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Facteur admin API</title>
<link rel="icon" href="/vendor/swagger-ui-dist/favicon-32x32.png">
<link rel="stylesheet" href="/vendor/swagger-ui-dist/swagger-ui.css">
</head>
<body>
<main id="swagger-ui" data-spec-url="/api/openapi.json"></main>
<script src="/vendor/swagger-ui-dist/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
`;

/** Swagger UI needs eval-free script from 'self', and sets inline styles through the DOM. */
const CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function apiDocs(c: Context): Response {
  return c.html(PAGE, 200, {
    "content-security-policy": CSP,
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
  });
}
