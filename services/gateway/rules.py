"""The REST bindings, read from the google.api.http rules of the contracts' methods.

Each rule, and each of its additional_bindings, is one Binding: an HTTP
method and path template bound to a gRPC method, with where the body goes
and which response field is the body. A method without a rule has no
binding, so internal RPCs are not reachable over REST.
"""

from dataclasses import dataclass

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor

from services.gateway.template import PathTemplate, parse_template

HTTP_METHODS = ("get", "put", "post", "delete", "patch")


@dataclass(frozen=True)
class Binding:
    service: str  # the registry's name of the service that answers (its channel)
    method: MethodDescriptor
    http_method: str  # upper case
    template: PathTemplate
    body: str  # "" (no body), "*" (the whole request) or a top-level field name
    response_body: str  # "" (the whole response) or a top-level field name

    @property
    def rpc(self) -> str:
        return f"/{self.method.containing_service.full_name}/{self.method.name}"


def bindings_of(service: str, contract: ServiceDescriptor) -> list[Binding]:
    found = []
    for method in contract.methods:
        options = method.GetOptions()
        if not options.HasExtension(annotations_pb2.http):
            continue
        rule = options.Extensions[annotations_pb2.http]
        for each in (rule, *rule.additional_bindings):
            found.append(_binding(service, method, each))
    return found


def _binding(service: str, method: MethodDescriptor, rule: http_pb2.HttpRule) -> Binding:
    kind = rule.WhichOneof("pattern")
    if kind == "custom":
        http_method, path = rule.custom.kind.upper(), rule.custom.path
    else:
        http_method, path = kind.upper(), getattr(rule, kind)
    binding = Binding(service, method, http_method, parse_template(path), rule.body, rule.response_body)
    _check_fields(binding)
    return binding


def _check_fields(binding: Binding) -> None:
    """A rule naming a field its messages lack is a contract bug: refuse it at start."""
    request, response = binding.method.input_type, binding.method.output_type
    for name in (binding.body,) if binding.body not in ("", "*") else ():
        if name not in request.fields_by_name:
            raise ValueError(f"{binding.rpc}: body {name!r} is not a field of {request.full_name}")
    if binding.response_body and binding.response_body not in response.fields_by_name:
        raise ValueError(f"{binding.rpc}: response_body {binding.response_body!r} is not a field of {response.full_name}")
    for variable in binding.template.variables:
        field_at(request, variable.field_path)


def field_at(message, field_path: str):
    """The field a dotted path of proto names ends on; ValueError when there is none."""
    field = None
    for name in field_path.split("."):
        if message is None or name not in message.fields_by_name:
            raise ValueError(f"{field_path!r} names no field of the request")
        field = message.fields_by_name[name]
        message = field.message_type
    return field
