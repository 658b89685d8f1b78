"""Which binding answers an HTTP method and path: 404 when no template fits, 405 (with Allow) when only the method is wrong.

Among the templates that fit a path, those with a custom verb
(`/v1/users/{user_id}:follow`) win over those without: the path names a
custom method, so `{user_id}` alone never swallows `12:follow`. Then the
template with more literal segments wins, as the more specific one.
"""

from google.rpc import code_pb2

from services.gateway.errors import HttpFailure
from services.gateway.rules import Binding


class Router:
    def __init__(self, bindings: list[Binding]):
        self.bindings = sorted(bindings, key=lambda b: (not b.template.verb, -b.template.literal_count))

    def route(self, http_method: str, path: str) -> tuple[Binding, dict[str, str]]:
        fitting = [(b, values) for b in self.bindings if (values := b.template.match(path)) is not None]
        if any(b.template.verb for b, _ in fitting):
            fitting = [(b, values) for b, values in fitting if b.template.verb]
        for binding, values in fitting:
            if binding.http_method == http_method:
                return binding, values
        if not fitting:
            raise HttpFailure(404, code_pb2.NOT_FOUND, f"no method is bound to {path}")
        allowed = sorted({b.http_method for b, _ in fitting})
        raise HttpFailure(405, code_pb2.UNIMPLEMENTED, f"{path} takes {', '.join(allowed)}, not {http_method}", {"allow": ", ".join(allowed)})
