"""Finding a Java runtime for HermiT and Pellet, and knowing which Java a set of jars needs.

Pellet as owlready2 0.51 bundles it is compiled for Java 25 (class file 69) while Debian 12's
default is Java 17, yet a newer JDK often sits beside it in the system's JVM folder. So a
runtime is looked for in ``JAVA_HOME``, the JVM folders and ``PATH``, and the choice is explained
when none will do.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import struct
import subprocess
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from citydiplomacy.core.errors import EXIT_BAD_INPUT, CitydipError

# Where JDKs live when no JAVA_HOME points at one: Debian/Ubuntu/Fedora, then macOS.
JVM_FOLDERS: tuple[str, ...] = ("/usr/lib/jvm", "/Library/Java/JavaVirtualMachines")
_JAVA_IN_FOLDER = ("*/bin/java", "*/Contents/Home/bin/java")

INSTALL_HINT = "install a JRE (Debian/Ubuntu: `apt-get install default-jre-headless`)"

_CLASS_FILE_OFFSET = 44  # class file major version 52 is Java 8, 69 is Java 25


@dataclass(frozen=True)
class JavaRuntime:
    """One ``java`` executable, where it was found and its major version (None when unknown)."""

    path: str
    found_in: str
    major: int | None


def java_major_version(java: str) -> int | None:
    """The major version a ``java -version`` banner states (``"1.8.0"`` is 8), None if it says none."""
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    if major == 1 and match.group(2):
        major = int(match.group(2))
    return major


def _executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _places(jvm_folders) -> list[tuple[str, list[Path]]]:
    """(where, java executables) in the order a choice prefers them: JAVA_HOME, the JVM folders, PATH."""
    home = os.environ.get("JAVA_HOME")
    places = [("JAVA_HOME" if home else "JAVA_HOME (unset)", [Path(home) / "bin" / "java"] if home else [])]
    for folder in jvm_folders:
        found = sorted({Path(p) for pattern in _JAVA_IN_FOLDER for p in glob.glob(os.path.join(folder, pattern))})
        places.append((folder, found))
    on_path = shutil.which("java")
    places.append(("PATH", [Path(on_path)] if on_path else []))
    return places


def java_runtimes(jvm_folders=None) -> list[JavaRuntime]:
    """Every distinct runtime in JAVA_HOME, the JVM folders and PATH, with its version (first place wins)."""
    seen: set[Path] = set()
    runtimes = []
    for where, paths in _places(JVM_FOLDERS if jvm_folders is None else jvm_folders):
        for path in paths:
            real = path.resolve()
            if real in seen or not _executable(path):
                continue
            seen.add(real)
            runtimes.append(JavaRuntime(str(path), where, java_major_version(str(path))))
    return runtimes


def places_searched(jvm_folders=None) -> str:
    """The places :func:`java_runtimes` looks in, as one phrase for a message."""
    home = os.environ.get("JAVA_HOME")
    folders = JVM_FOLDERS if jvm_folders is None else jvm_folders
    return ", ".join(
        [
            f"JAVA_HOME={home}" if home else "JAVA_HOME (unset)",
            *(os.path.join(f, "*", "bin", "java") for f in folders),
            "PATH",
        ]
    )


def find_java(minimum: int | None = None, jvm_folders=None, who: str = "HermiT") -> str:
    """The ``java`` to run: JAVA_HOME's when it is new enough, else the newest that is, else an error.

    Without *minimum* the first found is taken without starting it (JAVA_HOME, then PATH, then the
    JVM folders), as HermiT runs on any Java 8 or newer. The error names the places searched.
    """
    folders = JVM_FOLDERS if jvm_folders is None else jvm_folders
    if minimum is None:
        quick = _first_without_version(folders)
        if quick:
            return quick
    runtimes = java_runtimes(folders)
    if minimum is None and runtimes:
        return runtimes[0].path
    good = [r for r in runtimes if r.major is not None and r.major >= minimum] if minimum else []
    if good:
        home = [r for r in good if r.found_in == "JAVA_HOME"]
        return (home or sorted(good, key=lambda r: -(r.major or 0)))[0].path
    raise _no_java_error(minimum, runtimes, folders, who)


def _first_without_version(folders) -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and _executable(Path(home) / "bin" / "java"):
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


def _no_java_error(minimum: int | None, runtimes: list[JavaRuntime], folders, who: str) -> CitydipError:
    """One line: what is needed, what was found where, where else was looked, what to do."""
    looked = places_searched(folders)
    if not runtimes or minimum is None:
        return CitydipError(
            f"no Java runtime found (looked in {looked}); {who} runs on Java: {INSTALL_HINT} or use --reasoner owlrl",
            EXIT_BAD_INPUT,
        )
    found = "; ".join(f"Java {r.major or '?'} at {r.path}" for r in runtimes)
    return CitydipError(
        f"{who} needs Java {minimum} or newer, found only {found} (looked in {looked}); "
        f"install a JRE {minimum} and set JAVA_HOME to it, or use --reasoner hermit",
        EXIT_BAD_INPUT,
    )


@lru_cache(maxsize=8)
def java_needed_by_jars(folder: str) -> int | None:
    """The Java major version the newest class in *folder*'s jars (and loose classes) needs.

    Read from the class files' own headers, so an owlready2 upgrade that bundles a Pellet built
    for another Java is judged right. Multi-release entries (``META-INF/versions/``) are left
    out: an older Java simply skips them. None when there are no classes to read.
    """
    majors = [_jar_class_major(jar) for jar in sorted(Path(folder).glob("*.jar"))]
    majors += [_class_major(path.read_bytes()[:8]) for path in Path(folder).rglob("*.class")]
    known = [m for m in majors if m]
    return max(known) - _CLASS_FILE_OFFSET if known else None


def _class_major(header: bytes) -> int | None:
    if len(header) < 8 or header[:4] != b"\xca\xfe\xba\xbe":
        return None
    return struct.unpack(">H", header[6:8])[0]


def _jar_class_major(jar: Path) -> int | None:
    try:
        with zipfile.ZipFile(jar) as archive:
            majors = []
            for info in archive.infolist():
                if info.filename.endswith(".class") and not info.filename.startswith("META-INF/"):
                    with archive.open(info) as handle:
                        majors.append(_class_major(handle.read(8)))
    except (OSError, zipfile.BadZipFile):
        return None
    known = [m for m in majors if m]
    return max(known) if known else None
