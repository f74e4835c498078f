// Starts Swagger UI on /api/docs (src/api/docs.ts); a file of its own because the page's CSP allows
// no inline script.
const root = document.getElementById("swagger-ui");
window.ui = window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true });
