// Swagger UI for /docs, from kzlaw's own copy of swagger-ui-dist (web/package.json): no CDN, and no
// inline script, so the page's policy can say script-src 'self'. The schema is read relative to the
// page, so a server mounted under a path prefix still finds its own /openapi.json.
"use strict";
window.addEventListener("load", () => {
  window.ui = SwaggerUIBundle({
    url: new URL("openapi.json", document.baseURI).href,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // the default sends the schema to validator.swagger.io
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
});
