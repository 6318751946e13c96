"""Build hook: the package's `polyphony.api` is the repository's generated/python/polyphony/api (written only by
scripts/generate). A build from the repository takes it from there; a build from the sdist finds it inside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

GENERATED = Path(__file__).resolve().parents[2] / "generated" / "python" / "polyphony" / "api"


class GeneratedCodeHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if GENERATED.is_dir():
            build_data["force_include"][str(GENERATED)] = "polyphony/api"
        elif not (Path(self.root) / "polyphony" / "api").is_dir():
            raise RuntimeError("polyphony/api is missing: build from the repository after scripts/generate")
