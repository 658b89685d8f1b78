"""Server reflection in both versions: `grpc.reflection.v1` and `grpc.reflection.v1alpha`.

grpcurl 1.8.8 and later (and other current clients) ask v1 first; the
pinned grpcurl 1.8.6 speaks v1alpha only. grpcio-reflection 1.85.1 serves only v1alpha. The v1 contract
(`grpc/reflection/v1/reflection.proto`) is the v1alpha one moved to another
package: the same messages with the same field numbers, so the same bytes on
the wire. v1 is therefore served by the library's v1alpha servicer behind a
handler registered under the v1 name, reading and writing v1alpha messages.
That needs no copy of the proto and no generated stubs in gen/ (which holds
Chirp's contracts only, checked by buf lint).

So that `grpcurl describe` can resolve every listed service, the v1
descriptor is added to the default pool: v1alpha's file with its package and
type names renamed.
"""

from google.protobuf import descriptor_pb2, descriptor_pool
from grpc import aio, method_handlers_generic_handler, stream_stream_rpc_method_handler
from grpc_reflection.v1alpha import reflection
from grpc_reflection.v1alpha import reflection_pb2 as v1alpha_pb2

V1ALPHA_SERVICE_NAME = reflection.SERVICE_NAME
V1_SERVICE_NAME = "grpc.reflection.v1.ServerReflection"
V1_FILE_NAME = "grpc/reflection/v1/reflection.proto"
SERVICE_NAMES = (V1_SERVICE_NAME, V1ALPHA_SERVICE_NAME)


def enable_reflection(service_names: list[str], server: aio.Server) -> None:
    """Serves reflection for `service_names`, and for itself, in v1 and v1alpha."""
    _register_v1_descriptor()
    servicer = reflection.aio.ReflectionServicer([*service_names, *SERVICE_NAMES])
    v1alpha_handler = stream_stream_rpc_method_handler(
        servicer.ServerReflectionInfo,
        request_deserializer=v1alpha_pb2.ServerReflectionRequest.FromString,
        response_serializer=v1alpha_pb2.ServerReflectionResponse.SerializeToString,
    )
    for name in SERVICE_NAMES:
        server.add_generic_rpc_handlers((method_handlers_generic_handler(name, {"ServerReflectionInfo": v1alpha_handler}),))


def _register_v1_descriptor() -> None:
    pool = descriptor_pool.Default()
    try:
        pool.FindFileByName(V1_FILE_NAME)
    except KeyError:
        pool.AddSerializedFile(v1_file_descriptor().SerializeToString())


def v1_file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    """v1alpha's reflection.proto under v1's file name and package."""
    old, new = v1alpha_pb2.DESCRIPTOR.package, V1_SERVICE_NAME.rsplit(".", 1)[0]
    file = descriptor_pb2.FileDescriptorProto()
    v1alpha_pb2.DESCRIPTOR.CopyToProto(file)
    file.name, file.package = V1_FILE_NAME, new
    file.ClearField("options")
    for message in file.message_type:
        for field in message.field:
            if field.type_name:
                field.type_name = field.type_name.replace(f".{old}.", f".{new}.")
    for method in file.service[0].method:
        method.input_type = method.input_type.replace(f".{old}.", f".{new}.")
        method.output_type = method.output_type.replace(f".{old}.", f".{new}.")
    return file
