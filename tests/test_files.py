"""Atomic writes and reads (vaeaug._files)."""

import os
import stat

import pytest

from vaeaug._files import read_yaml, write_json_atomic


def test_a_written_file_gets_the_mode_of_any_new_file(tmp_path):
    old = os.umask(0o022)
    try:
        path = write_json_atomic(tmp_path / "results.json", {"a": 1})
        plain = tmp_path / "plain"
        plain.write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode) == 0o644


def test_an_unreadable_yaml_names_the_file(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes(b"\x80\x81")
    with pytest.raises(ValueError, match="config.yaml is not a text file"):
        read_yaml(path)
