"""The API documentation pages: Swagger UI and Redoc, with nothing inline."""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

# The "split" view serves Swagger UI's init script as a file of its own.
swagger_ui = SpectacularSwaggerSplitView.as_view(
    url_name="schema", template_name="core/swagger_ui.html"
)
redoc = SpectacularRedocView.as_view(url_name="schema", template_name="core/redoc.html")
