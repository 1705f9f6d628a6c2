"""The command's habits (issue 16): help rather than a surprise run, --version, every
default in -h, one exit-status rule, one name per split. Run as a user runs it: in a
subprocess."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import chainrule
from chainrule.apps.cli import SPLITS, _build_parser

REPOSITORY = Path(chainrule.__file__).parent.parent


def chainrule_command(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd,
                          env={"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin"})


def test_bare_command_prints_help_and_trains_nothing(tmp_path: Path) -> None:
    done = chainrule_command(cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: chainrule") and "train" in done.stdout
    assert list(tmp_path.iterdir()) == []  # no runs/latest written


def test_version(tmp_path: Path) -> None:
    done = chainrule_command("--version", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"chainrule {chainrule.__version__}"


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                found += _parsers(child)
    return found


def test_every_option_with_a_default_shows_it_in_help() -> None:
    missing = []
    for parser in _parsers(_build_parser()):
        text = parser.format_help()
        for action in parser._actions:
            if not action.option_strings or action.default in (None, False, argparse.SUPPRESS) \
                    or isinstance(action, (argparse._HelpAction, argparse._VersionAction)):
                continue
            if action.help is None or "(default:" not in parser._get_formatter() \
                    ._expand_help(action):
                missing.append(f"{parser.prog} {action.option_strings[0]}")
        assert "(default: None)" not in text
    assert missing == []


def test_ner_train_help_lists_its_defaults_in_a_subprocess(tmp_path: Path) -> None:
    done = chainrule_command("ner", "train", "--help", cwd=tmp_path)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "learning rate (default: 0.05)" in text and "(default: adagrad)" in text


def test_exit_status_rule_in_a_subprocess(tmp_path: Path) -> None:
    usage = chainrule_command("train", "--activation", "swish", cwd=tmp_path)
    expression = chainrule_command("explain", "x + y", "x=1", cwd=tmp_path)
    failed = chainrule_command("evaluate", str(tmp_path / "none"), cwd=tmp_path)
    assert (usage.returncode, expression.returncode, failed.returncode) == (2, 2, 1)
    for done in (usage, expression, failed):
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_one_name_for_each_split() -> None:
    choices = {parser.prog: action.choices for parser in _parsers(_build_parser())
               for action in parser._actions if "--split" in action.option_strings}
    assert set(choices) == {"chainrule evaluate", "chainrule ner evaluate"}
    assert all(tuple(names) == SPLITS == ("train", "val", "test") for names in choices.values())
