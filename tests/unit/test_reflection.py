"""The v1 reflection contract is v1alpha's under v1's names: same messages, same field numbers, same wire bytes."""

from google.protobuf import descriptor_pb2
from grpc_reflection.v1alpha import reflection_pb2 as v1alpha_pb2

from services.common.rpc.reflection import V1_FILE_NAME, v1_file_descriptor


def fields(file) -> dict[str, list[tuple[str, int, str]]]:
    return {m.name: [(f.name, f.number, f.type_name.rsplit(".", 1)[-1]) for f in m.field] for m in file.message_type}


def test_v1_has_v1alphas_messages_and_field_numbers_under_its_own_package():
    v1 = v1_file_descriptor()
    assert (v1.name, v1.package) == (V1_FILE_NAME, "grpc.reflection.v1")
    v1alpha = descriptor_pb2.FileDescriptorProto()
    v1alpha_pb2.DESCRIPTOR.CopyToProto(v1alpha)
    assert fields(v1) == fields(v1alpha)
    types = [f.type_name for m in v1.message_type for f in m.field if f.type_name]
    assert types and all(t.startswith(".grpc.reflection.v1.") for t in types)


def test_v1_service_streams_v1_messages():
    (method,) = v1_file_descriptor().service[0].method
    assert (method.input_type, method.output_type) == (
        ".grpc.reflection.v1.ServerReflectionRequest", ".grpc.reflection.v1.ServerReflectionResponse")
    assert method.client_streaming and method.server_streaming
