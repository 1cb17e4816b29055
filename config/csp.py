"""The Content-Security-Policy: strict on the public site, inline styles allowed in the admin only.

Django's admin sets a few ``style`` attributes of its own; the public pages have no inline
script or style at all (JSON-LD is a data block, which browsers never run).
"""

from csp.middleware import CSPMiddleware, PolicyParts


class EncyclopediaCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path_info.startswith("/admin/"):
            parts.update = {**(parts.update or {}), "style-src": ["'unsafe-inline'"]}
        return parts
