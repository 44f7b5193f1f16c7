"""RDF reading errors name the file, line and column; writes are atomic and keep normal modes."""

import os
import stat

import pytest

from citydiplomacy.core.errors import CitydipError
from citydiplomacy.core.rdfio import atomic_write, read_rdf


def _message(path, **kwargs) -> str:
    with pytest.raises(CitydipError) as caught:
        read_rdf(path, **kwargs)
    assert caught.value.exit_code == 2
    assert "\n" not in caught.value.message
    return caught.value.message


def test_turtle_syntax_error_has_line_and_column(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://ex/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    assert _message(bad).startswith(f"{bad}:3:")


def test_ntriples_syntax_error_has_line(tmp_path):
    bad = tmp_path / "bad.nt"
    bad.write_text("<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n")
    assert _message(bad).startswith(f"{bad}:2:")


def test_rdfxml_error_is_located(tmp_path):
    bad = tmp_path / "bad.rdf"
    bad.write_text('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n<oops>\n</rdf:RDF>\n')
    assert _message(bad).startswith(f"{bad}:")


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("missing.ttl", None, "no such file"),
        ("empty.ttl", b"  \n", "empty"),
        ("latin1.ttl", "<http://a> <http://b> \"caf\xe9\" .\n".encode("latin-1"), "not UTF-8"),
        ("data.xyz", b"<http://a> <http://b> <http://c> .\n", "cannot tell the RDF format"),
    ],
)
def test_bad_files(tmp_path, name, content, expected):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert expected in _message(path)


def test_directory_is_refused(tmp_path):
    assert "is a directory" in _message(tmp_path)


def test_unknown_explicit_format(tmp_path):
    path = tmp_path / "a.ttl"
    path.write_text("<http://a> <http://b> <http://c> .\n")
    assert "unknown RDF format" in _message(path, input_format="yaml")


def test_format_from_option_overrides_suffix(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("<http://a> <http://b> <http://c> .\n")
    assert len(read_rdf(path, input_format="ntriples")) == 1


def test_atomic_write_replaces_whole_file_with_umask_mode(tmp_path):
    target = tmp_path / "out.ttl"
    target.write_text("old")
    atomic_write(target, "new content")
    assert target.read_text() == "new content"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_atomic_write_missing_folder_is_clear(tmp_path):
    with pytest.raises(CitydipError, match="does not exist"):
        atomic_write(tmp_path / "nope" / "out.ttl", "x")


def test_read_many_says_missing_before_guessing_format(tmp_path):
    import rdflib

    from citydiplomacy.core.rdfio import read_many

    with pytest.raises(CitydipError, match="no such file"):
        read_many([tmp_path / "missing"], rdflib.Graph())
    with pytest.raises(CitydipError, match="is a directory"):
        read_many([tmp_path], rdflib.Graph())
