"""Exit status of every command of the installed console script, run as a user runs it (a subprocess).

0 done; 1 `check --fail-on` found such a claim; 2 bad arguments (click's usage message) or an input the user can
fix (a one-line `error: ...` naming it, no traceback, the warehouse unchanged). See silkscope.cli.main.EXIT_*.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import typer

from silkscope.cli.main import EXIT_FOUND, EXIT_OK, EXIT_USAGE, app
from warehouse_helpers import checksum

SILKSCOPE = Path(sys.executable).with_name("silkscope")  # the console script pip installed beside this python
FIXTURES = Path(__file__).parent / "fixtures"
SUPPORTED = "Shinzo Abe visited all five Central Asian countries in 2015.\n"
CONTRADICTED = "Junichiro Koizumi visited Uzbekistan in 2010.\n"


def run(*args: str, stdin: bytes | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SILKSCOPE), *args], input=stdin, capture_output=True, timeout=timeout, check=False,
        env={**os.environ, "COLUMNS": "80"},  # a narrow terminal: messages must still be one line
    )  # fmt: skip


def commands(group=None, prefix: tuple[str, ...] = ()) -> set[str]:
    """Every command path the console script offers (`model visits`, `snapshot build`, ...)."""
    group = group or typer.main.get_command(app)
    out: set[str] = set()
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            out |= commands(command, (*prefix, name))
        else:
            out.add(" ".join((*prefix, name)))
    return out


@pytest.fixture(scope="module")
def files(built_db, tmp_path_factory) -> dict[str, str]:
    """A warehouse (copied: some commands could write), articles, a mirror holding one publisher file."""
    tmp = tmp_path_factory.mktemp("exit")
    db = tmp / "w.duckdb"
    shutil.copy(built_db, db)
    (tmp / "ok.txt").write_text(SUPPORTED, encoding="utf-8")
    (tmp / "bad.txt").write_text(SUPPORTED + CONTRADICTED, encoding="utf-8")
    (tmp / "latin1.txt").write_bytes(b"Japan\nlent \xe9 much\n")
    (tmp / "adir").mkdir()
    mirror = tmp / "mirror" / "chinavitae"
    mirror.mkdir(parents=True)
    shutil.copy(FIXTURES / "chinavitae" / "china_leader_engagements_2003_2018.csv", mirror)
    return {"db": str(db), "tmp": str(tmp), "mirror": str(mirror.parent), "missing": str(tmp / "nowhere.duckdb")}


# command -> (arguments for a run that succeeds, for a usage error and its option, for a user error and its input).
# {db} is the warehouse, {tmp} a scratch folder, {mirror} a mirror with chinavitae's file, {missing} no warehouse.
CASES: dict[str, tuple[list[str] | None, tuple[list[str], str], tuple[list[str], str] | None]] = {
    "build": (["--db", "{tmp}/new.duckdb"], (["--db"], "--db"), (["--pack", "{tmp}/nopack", "--db", "{db}"], "nopack")),
    "profile": (["UZB", "--db", "{db}"], (["UZB", "--since", "then"], "--since"), (["Uzbekstan", "--db", "{db}"],
                                                                                     "Uzbekistan (UZB)")),
    "timeline": (["--partner", "JPN", "--db", "{db}"], (["--format", "xml"], "--format"),
                 (["--partner", "JPN", "--db", "{missing}"], "nowhere.duckdb")),
    "compare": (["--db", "{db}"], (["--until", "later"], "--until"), (["--indicator", "nope", "--db", "{db}"], "nope")),
    "trade-partners": (["KAZ", "--db", "{db}"], (["KAZ", "--top", "0"], "--top"), (["Narnia", "--db", "{db}"],
                                                                                    "Narnia")),
    "context": (["KAZ", "--db", "{db}"], (["KAZ", "--since", "x"], "--since"), (["Narnia", "--db", "{db}"], "Narnia")),
    "sources": (["--db", "{db}"], (["--format", "xml"], "--format"), (["--db", "{missing}"], "nowhere.duckdb")),
    "fetch": (["chinavitae", "--mirror", "{mirror}", "--cache", "{tmp}/cache"], ([], "source"),
              (["nosuch"], "nosuch")),
    "ingest": (["chinavitae", "--mirror", "{mirror}", "--cache", "{tmp}/cache", "--db", "{tmp}/ingest.duckdb"],
               ([], "source"), (["nosuch", "--db", "{db}"], "nosuch")),
    "update": (["--only", "chinavitae", "--mirror", "{mirror}", "--cache", "{tmp}/cache", "--db", "{tmp}/up.duckdb"],
               (["--only"], "--only"), (["--only", "nosuch", "--db", "{db}", "--mirror", "{mirror}"], "nosuch")),
    "sources-available": ([], (["extra"], "extra"), None),
    "resolve": (["Uzbekistan", "Kirghizia"], ([], "names"), (["Narnia"], "Narnia")),
    "serve": (None, (["--port", "0"], "--port"), None),  # a run that serves: test_serve_answers_and_stops
    "brief": (["--country", "UZB", "--out", "{tmp}/b.html", "--db", "{db}"], (["--country", "UZB"], "--out"),
              (["--country", "UZB", "--out", "{tmp}/b.docx", "--db", "{db}"], "b.docx")),
    "check": (["{tmp}/ok.txt", "--db", "{db}", "--fail-on", "contradicted"], (["{tmp}/ok.txt", "--format", "xml"],
              "--format"), (["{tmp}/none.txt", "--db", "{db}"], "none.txt")),
    "indicator": (["shares", "--partners", "JPN,CHN", "--db", "{db}"], (["shares", "--draws", "many"], "--draws"),
                  (["nope", "--db", "{db}"], "nope")),
    "indicators": ([], (["--bogus"], "--bogus"), None),
    "model visits": (["--outcome", "ministerial_meetings", "--db", "{db}"], (["--lag", "one"], "--lag"),
                     (["--country", "Narnia", "--db", "{db}"], "Narnia")),
    "snapshot build": (None, ([], "--mirror"), None),  # writes the packaged snapshot: not run here
    "snapshot show": (None, (["--bogus"], "--bogus"), None),  # 0 or 1 as a snapshot is packaged or not
}  # fmt: skip


def fill(args: list[str], files: dict[str, str]) -> list[str]:
    return [a.format(**files) for a in args]


def assert_user_error(proc: subprocess.CompletedProcess, *names: str) -> None:
    err = proc.stderr.decode()
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert proc.returncode == EXIT_USAGE, (proc.returncode, err)
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith("error: ") and all(n in lines[0] for n in names), err


def test_every_command_has_cases():
    assert commands() <= set(CASES), f"commands without exit-code cases: {sorted(commands() - set(CASES))}"


@pytest.mark.parametrize("command", sorted(c for c, (ok, _, _) in CASES.items() if ok is not None))
def test_success_exits_0(command, files):
    proc = run(*command.split(), *fill(CASES[command][0], files))
    assert proc.returncode == EXIT_OK, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr


@pytest.mark.parametrize("command", sorted(CASES))
def test_bad_arguments_exit_2_with_usage(command, files):
    args, option = CASES[command][1]
    proc = run(*command.split(), *fill(args, files))
    err = proc.stderr.decode()
    assert proc.returncode == EXIT_USAGE, (proc.returncode, err)
    assert "Error:" in err and option in err and "Traceback" not in err, err


@pytest.mark.parametrize("command", sorted(c for c, (_, _, user) in CASES.items() if user is not None))
def test_user_errors_exit_2_with_one_line_and_change_nothing(command, files):
    args, names = CASES[command][2]
    before = checksum(Path(files["db"]))
    assert_user_error(run(*command.split(), *fill(args, files)), names)
    assert checksum(Path(files["db"])) == before


def test_no_command_shows_help_and_exits_2():
    proc = run()
    assert proc.returncode == EXIT_USAGE and b"Usage: silkscope" in proc.stdout + proc.stderr
    assert run("--help").returncode == EXIT_OK


def test_check_fail_on_contradicted_exits_1(files):
    proc = run("check", f"{files['tmp']}/bad.txt", "--db", files["db"], "--fail-on", "contradicted", "--format", "json")
    assert proc.returncode == EXIT_FOUND, proc.stderr.decode()
    assert b'"contradicted"' in proc.stdout
    # without --fail-on the same article is a successful check; from standard input too
    assert run("check", f"{files['tmp']}/bad.txt", "--db", files["db"]).returncode == EXIT_OK
    piped = run("check", "-", "--db", files["db"], "--fail-on", "contradicted", stdin=CONTRADICTED.encode())
    assert piped.returncode == EXIT_FOUND, piped.stderr.decode()


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["{tmp}/gone.md", "--db", "{db}"], ["gone.md: no such file"]),
        (["{tmp}/ok.txt", "--db", "{missing}"], ["no warehouse at {missing}"]),
        (["{tmp}/latin1.txt", "--db", "{db}"], ["latin1.txt: line 2, column 6", "not valid UTF-8"]),
        (["{tmp}/ok.txt", "--max-bytes", "10", "--db", "{db}"], ["ok.txt: input is", "the limit is 10 bytes"]),
        (["{tmp}/adir", "--db", "{db}"], ["adir"]),
        (["{tmp}/ok.txt", "--db", "{db}", "--output", "{tmp}/adir"], ["adir"]),
        (["{tmp}/ok.txt", "--db", "{db}", "--output", "{tmp}/no/such/dir/r.html"], ["r.html"]),
    ],
)
def test_check_user_errors(files, args, names):
    assert_user_error(run("check", *fill(args, files)), *fill(names, files))


def test_check_max_bytes_must_be_positive(files):
    proc = run("check", f"{files['tmp']}/ok.txt", "--max-bytes", "-1")
    assert proc.returncode == EXIT_USAGE and b"Invalid value for '--max-bytes'" in proc.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_and_stops_on_ctrl_c_with_0(files):
    port = _free_port()
    server = subprocess.Popen([str(SILKSCOPE), "serve", "--port", str(port), "--db", files["db"]],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, server.stderr.read().decode()
            time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    assert server.returncode == EXIT_OK, err.decode()  # a server stopped by Ctrl+C has done its job
    assert b"Traceback" not in err


def test_serve_with_a_bad_read_threads_setting_says_so_and_exits_2(files):
    env = {**os.environ, "COLUMNS": "80", "SILKSCOPE_READ_THREADS": "many"}
    done = subprocess.run([str(SILKSCOPE), "serve", "--port", str(_free_port()), "--db", files["db"]], env=env,
                          capture_output=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == EXIT_USAGE, done.stderr.decode()
    err = done.stderr.decode()
    assert "SILKSCOPE_READ_THREADS" in err and "'many'" in err and "Traceback" not in err
