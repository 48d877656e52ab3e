"""Huge articles: `silkscope check` costs CPU in proportion to the article's length, and shows its progress on a
terminal (only there: a pipe or a file gets the report alone)."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

SILKSCOPE = Path(sys.executable).with_name("silkscope")
# One paragraph with a change and its two endpoints: a change is checked against its endpoints, once looked for
# among all the article's claims (quadratic: 50 MB ran past 600 s), now among its paragraph's.
PARAGRAPH = (
    "Japan's ODA to Uzbekistan rose from US$2.57 million in 1993 to US$242.28 million in 2003, almost a hundredfold."
    "\n\n"
)


def cpu_seconds(path: Path, db: Path) -> float:
    """CPU time of one `silkscope check` process, from the kernel (a busy machine does not change it much)."""
    with open(os.devnull, "wb") as devnull:
        proc = subprocess.Popen([str(SILKSCOPE), "check", str(path), "--db", str(db), "--format", "json"],
                                stdout=devnull, stderr=subprocess.PIPE)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, proc.stderr.read().decode()
    return usage.ru_utime + usage.ru_stime


def test_doubling_the_article_at_most_doubles_the_cpu(built_db, tmp_path):
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_text(PARAGRAPH * 3000, encoding="utf-8")  # 330 kB, 9,000 claims
    large.write_text(PARAGRAPH * 6000, encoding="utf-8")
    ratio = cpu_seconds(large, built_db) / cpu_seconds(small, built_db)
    assert ratio < 2.5, f"twice the text took {ratio:.2f} times the CPU"  # before: above 3


def _stderr_on_a_terminal(args: list[str]) -> bytes:
    leader, follower = pty.openpty()
    proc = subprocess.Popen([str(SILKSCOPE), *args], stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=120) == 0, seen.decode(errors="replace")
    os.close(leader)
    return seen


def test_progress_bar_on_a_terminal_and_not_in_a_pipe(built_db, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text(PARAGRAPH * 400, encoding="utf-8")
    args = ["check", str(article), "--db", str(built_db), "--format", "json"]
    shown = _stderr_on_a_terminal(args)
    assert b"finding claims in" in shown and b"checking claims" in shown and re.search(rb"\d+/\d+", shown)
    piped = subprocess.run([str(SILKSCOPE), *args], capture_output=True, timeout=120, check=True)
    assert piped.stderr == b"" and piped.stdout.startswith(b"{")
