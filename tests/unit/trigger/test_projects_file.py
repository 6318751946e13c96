from pathlib import Path

import pytest

from polyphony.trigger.projects_file import ProjectsFileError, load, parse

FIXTURE = Path(__file__).parents[2] / "fixtures" / "opentheater" / "projects.yaml"
P = "09a7506a-d399-4d42-983f-47a12e028586"
C = "7eb2e01e-faef-439c-b431-08c25a374cba"


def test_fixture_loads() -> None:
    projects = load(FIXTURE)
    assert [p.project_uuid for p in projects] == [P, "ff277516-121b-4304-b256-d5a8b70e136a"]
    first = projects[0]
    assert first.project_label is None and first.project_path == ("MY_INDEPENDENT_EXAMPLE_PIECE",)
    assert first.channels[0].channel_trigger and first.channels[0].files_dir is None
    assert first.channels[1].files_dir is not None and Path(first.channels[1].files_dir).is_dir()
    second = projects[1]
    assert second.project_label == ("Staatstheater Mannheim", "Kammerspiele", "Shakespeares anderes Stück")
    assert second.channels[0].lastmodified == 16037178386002


def doc(channel: str = "", project_extra: str = "") -> str:
    return f"""
projects:
  - projectUuid: {P.upper()}
    projectPath: [a, b]
{project_extra}
    channelList:
      - channelUuid: {C}
        containerIds: [text_de]
{channel}
"""


def test_uuids_are_canonicalised(tmp_path: Path) -> None:
    (p,) = parse(doc(), tmp_path)
    assert p.project_uuid == P


@pytest.mark.parametrize(
    ("channel", "project_extra", "message"),
    [
        ("        lastmodified: 5", "", "only allowed with provisioningUri"),
        ("        files: nowhere", "", "is not a directory"),
        ("        files: .\n        provisioningUri: http://x/", "", "mutually exclusive"),
        ("        colour: red", "", "unknown key"),
        ("        containerIds: [textde]", "", "is not `<type>_<name>`"),
        ("", "    projectLabel: [only-one]", "as many items as projectPath"),
        ("", "    projectLabel: 7", "list of non-empty strings"),
    ],
)
def test_malformed_files_say_where(tmp_path: Path, channel: str, project_extra: str, message: str) -> None:
    text = doc(channel, project_extra)
    if "containerIds: [textde]" in channel:
        text = text.replace("        containerIds: [text_de]\n", "")
    with pytest.raises(ProjectsFileError, match=message):
        parse(text, tmp_path)


def test_duplicate_and_invalid_uuids(tmp_path: Path) -> None:
    dup = doc().replace(C, P)
    with pytest.raises(ProjectsFileError, match="more than once"):
        parse(dup, tmp_path)
    with pytest.raises(ProjectsFileError, match="not a UUID"):
        parse(doc().replace(C, "nope"), tmp_path)


def test_empty_and_broken(tmp_path: Path) -> None:
    assert parse("", tmp_path) == ()
    with pytest.raises(ProjectsFileError, match="not valid YAML"):
        parse("projects: [", tmp_path)
    with pytest.raises(ProjectsFileError, match="cannot read"):
        load(tmp_path / "missing.yaml")
