"""`polyphony cue ...`: a stage manager's command line, calling TriggerService over gRPC (through
Envoy, like any other client) with a write token."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from polyphony.core.config import ClientSettings


def add_parser(sub: Any) -> None:
    """Add the `cue` command to the `polyphony` argument parser."""
    client = ClientSettings.from_env()
    p = sub.add_parser("cue", help="fire and manage Open Theater cues (cue lists) on a running server")
    p.add_argument("--url", default=client.url, help="server base URL [$POLYPHONY_URL or http://localhost:8080]")
    p.add_argument(
        "--token", default=client.token or None, help="write token [$POLYPHONY_TOKEN, else <data dir>/write.token]"
    )
    p.add_argument(
        "--data-dir",
        default=str(client.data_dir),
        help="where `polyphony serve` keeps its generated write token [$POLYPHONY_DATA_DIR or polyphony-data]",
    )
    actions = p.add_subparsers(dest="action", required=True)
    for name, text in [
        ("list", "show the cue list and the current cue"),
        ("go", "fire the next cue (GO)"),
        ("back", "fire the previous cue again"),
    ]:
        actions.add_parser(name, help=text).add_argument("project", help="project UUID")
    jump = actions.add_parser("jump", help="fire the cue at a position (0-based) or with an id")
    jump.add_argument("project")
    jump.add_argument("cue", help="position or cue id")
    load = actions.add_parser("load", help="replace the cue list from a JSON/YAML file: [{label, payload}, ...]")
    load.add_argument("project")
    load.add_argument("file")
    fire = actions.add_parser("fire", help="publish one trigger payload (JSON) now")
    fire.add_argument("project")
    fire.add_argument("payload", help="JSON text, or @file")


def _token(args: argparse.Namespace) -> str | None:
    if args.token:
        return str(args.token)
    path = Path(args.data_dir) / "write.token"
    return path.read_text().strip() if path.exists() else None


def _cues_from(path: str) -> list[dict[str, Any]]:
    doc = yaml.safe_load(Path(path).read_text())
    if isinstance(doc, dict):
        doc = doc.get("cues")
    if not isinstance(doc, list):
        raise SystemExit(f"{path}: expected a list of {{label, payload}} (or {{cues: [...]}})")
    return doc


def _show(cue_list: Any, fired: Any = None) -> None:
    current = cue_list.current if cue_list.HasField("current") else None
    if fired is not None:
        print(f"fired cue {current} (sequence {int(fired.sequence)}): {cue_list.cues[current].label}")
        return
    for entry in cue_list.cues:
        marker = ">" if entry.position == current else " "
        print(f"{marker} {entry.position:>4}  {entry.label}  [{entry.cue_id}]")
    if not cue_list.cues:
        print("(empty cue list)")


async def _run(args: argparse.Namespace) -> int:
    import grpc

    from polyphony.api.trigger.v1 import trigger_pb2 as pb
    from polyphony.api.trigger.v1 import trigger_pb2_grpc
    from polyphony.client import json_of

    parts = urlsplit(args.url)
    target = f"{parts.hostname}:{parts.port or (443 if parts.scheme == 'https' else 80)}"
    channel = (
        grpc.aio.secure_channel(target, grpc.ssl_channel_credentials())
        if parts.scheme == "https"
        else grpc.aio.insecure_channel(target)
    )
    token = _token(args)
    auth = (("authorization", f"Bearer {token}"),) if token else ()
    project = args.project
    async with channel:
        stub = trigger_pb2_grpc.TriggerServiceStub(channel)
        try:
            if args.action == "list":
                _show((await stub.GetCueList(pb.GetCueListRequest(project_uuid=project), metadata=auth)).cue_list)
            elif args.action == "go":
                reply = await stub.NextCue(pb.NextCueRequest(project_uuid=project), metadata=auth)
                _show(reply.cue_list, reply.cue)
            elif args.action == "back":
                reply = await stub.PreviousCue(pb.PreviousCueRequest(project_uuid=project), metadata=auth)
                _show(reply.cue_list, reply.cue)
            elif args.action == "jump":
                jump = (
                    pb.JumpToCueRequest(project_uuid=project, position=int(args.cue))
                    if args.cue.isdigit()
                    else pb.JumpToCueRequest(project_uuid=project, cue_id=args.cue)
                )
                reply = await stub.JumpToCue(jump, metadata=auth)
                _show(reply.cue_list, reply.cue)
            elif args.action == "load":
                replace = pb.ReplaceCueListRequest(project_uuid=project)
                for item in _cues_from(args.file):
                    entry = replace.cues.add(label=str(item.get("label", "")))
                    if isinstance(item.get("payload"), dict):
                        entry.payload.update(item["payload"])
                _show((await stub.ReplaceCueList(replace, metadata=auth)).cue_list)
            elif args.action == "fire":
                text = Path(args.payload[1:]).read_text() if args.payload.startswith("@") else args.payload
                published = await stub.Publish(pb.PublishRequest(project_uuid=project, payload=text), metadata=auth)
                cue = published.cue
                print(json.dumps({"sequence": int(cue.sequence), "payload": json_of(cue.payload)}))
        except grpc.aio.AioRpcError as err:
            print(f"error: {err.code().name}: {err.details()}", file=sys.stderr)
            return 1
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
