"""The shared parts of the mobile-app API under /api/v1/ (issue 11).

Authentication (bearer tokens and the website's session), the one error shape, cursor
pagination, throttles, the OpenAPI schema's conventions, the base views and the URL table.
No business rule lives here: each app's ``<app>/api/`` holds its thin views and serializers,
which call that app's services and selectors, exactly as its pages do.
"""
