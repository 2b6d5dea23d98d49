"""`/docs`: Swagger UI on the OpenAPI schema, from this server's own static files (built from the locked
swagger-ui-dist package, `client/web/assets_build.py`), never a CDN. It is on the pages' origin, so it
gets a Content-Security-Policy of its own (`client.web.security.DOCS_CSP`): scripts from here only."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>yjflow API</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" type="image/png" href="/app/static/swagger/favicon-32x32.png">
  <link rel="stylesheet" href="/app/static/swagger/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/app/static/swagger/swagger-ui-bundle.js"></script>
  <script src="/app/static/swagger-init.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
async def docs() -> HTMLResponse:
    return HTMLResponse(_PAGE)
