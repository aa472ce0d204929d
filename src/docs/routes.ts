import path from 'node:path';
import express, { Router } from 'express';
import { loadOpenApi } from '../openapi/document';

/** The OpenAPI document and a Swagger UI page for it, from npm (no CDN), without auth. */
export function docsRoutes(): Router {
  const r = Router();
  const assets = path.dirname(require.resolve('swagger-ui-dist/package.json'));

  // A person who opens the bare host lands on the docs rather than a 404.
  r.get('/', (_req, res) => res.redirect(302, '/docs'));
  r.get('/api/v2/openapi.yaml', (_req, res) => {
    res.type('application/yaml').send(loadOpenApi().text);
  });
  r.get(['/docs', '/docs/'], (_req, res) => {
    res.type('html').send(PAGE);
  });
  r.use('/docs/assets', express.static(assets, { index: false, maxAge: '1d' }));
  return r;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>v2crm API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/api/v2/openapi.yaml', dom_id: '#ui', deepLinking: true });
  </script>
</body>
</html>`;
