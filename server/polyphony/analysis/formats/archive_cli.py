"""`polyphony export FILE` / `polyphony import FILE`: move the analysis service's data (items with audio,
presets, experiences, selections, tasks, results with files, analyses, tracks, annotations) between
running servers as one portable zip, over gRPC (through Envoy, like any other client) with a write token."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from polyphony.core.config import ClientSettings

CHUNK = 256 * 1024


def add_parsers(sub: Any) -> None:
    """Add the `export` and `import` commands to the `polyphony` argument parser."""
    client = ClientSettings.from_env()
    for name, text in [
        ("export", "write the analysis data of a running server to a zip archive"),
        ("import", "load a zip archive made by `polyphony export` into a running server"),
    ]:
        p = sub.add_parser(name, help=text)
        p.add_argument("file", help="archive path" + (" ('-' for stdout)" if name == "export" else ""))
        p.add_argument(
            "--url",
            default=client.url,
            help="server base URL [$POLYPHONY_URL or http://localhost:8080]",
        )
        p.add_argument(
            "--token",
            default=client.token or None,
            help="write token [$POLYPHONY_TOKEN, else <data dir>/write.token]",
        )
        p.add_argument(
            "--data-dir",
            default=str(client.data_dir),
            help="where `polyphony serve` keeps its generated write token [$POLYPHONY_DATA_DIR or polyphony-data]",
        )


def _token(args: argparse.Namespace) -> str | None:
    if args.token:
        return str(args.token)
    path = Path(args.data_dir) / "write.token"
    return path.read_text().strip() if path.exists() else None


async def _run(args: argparse.Namespace) -> int:
    import grpc
    from google.api import httpbody_pb2

    from polyphony.api.analysis.v1 import analysis_pb2 as pb
    from polyphony.api.analysis.v1 import analysis_pb2_grpc

    parts = urlsplit(args.url)
    target = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    channel = (
        grpc.aio.secure_channel(target, grpc.ssl_channel_credentials())
        if parts.scheme == "https"
        else grpc.aio.insecure_channel(target)
    )
    token = _token(args)
    auth = (("authorization", f"Bearer {token}"),) if token else ()
    async with channel:
        stub = analysis_pb2_grpc.AnalysisServiceStub(channel)
        try:
            if args.command == "export":
                out = sys.stdout.buffer if args.file == "-" else None
                tmp = Path(args.file + ".part") if out is None else None
                size = 0
                with open(tmp, "wb") if tmp is not None else out as fh:  # type: ignore[union-attr]
                    async for body in stub.ExportArchive(pb.ExportArchiveRequest(), metadata=auth):
                        fh.write(body.data)
                        size += len(body.data)
                if tmp is not None:
                    tmp.replace(args.file)
                    print(f"exported {size} bytes to {args.file}", file=sys.stderr)
            else:
                path = Path(args.file)

                async def bodies() -> AsyncIterator[httpbody_pb2.HttpBody]:
                    with path.open("rb") as fh:
                        first = True
                        while chunk := fh.read(CHUNK):
                            yield httpbody_pb2.HttpBody(content_type="application/zip" if first else "", data=chunk)
                            first = False

                report = await stub.ImportArchive(bodies(), metadata=auth)
                for name in sorted(report.created):
                    print(f"{name}: {report.created[name]} created, {report.existing[name]} already present")
        except grpc.aio.AioRpcError as err:
            print(f"error: {err.code().name}: {err.details()}", file=sys.stderr)
            return 1
        except OSError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
