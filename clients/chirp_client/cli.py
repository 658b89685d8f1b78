"""`chirp`: use the mesh from a terminal.

    chirp register alice --name "Alice"
    chirp --as alice post "hello #chirp"
    chirp --as bob follow alice
    chirp --as bob home
"""

import sys

import grpc

from chirp_client import loader
from chirp_client.client import ChirpClient
from chirp_client.commands import COMMANDS, build_parser
from chirp_client.session import Session, UsageError


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "load-graph":
        return loader.main(args)
    try:
        with ChirpClient(args.target, timeout=args.timeout) as client:
            print(COMMANDS[args.command](Session(client, args), args))
        return 0
    except grpc.RpcError as error:
        print(f"chirp: {describe(error, args.target)}", file=sys.stderr)
        return 1
    except UsageError as error:
        print(f"chirp: {error}", file=sys.stderr)
        return 2


def describe(error: grpc.RpcError, target: str) -> str:
    code = error.code()
    if code == grpc.StatusCode.UNAVAILABLE and "connect" in (error.details() or "").lower():
        return f"cannot reach the mesh at {target}: is it running (make run)?"
    return f"{code.name}: {error.details()}"


if __name__ == "__main__":
    sys.exit(main())
