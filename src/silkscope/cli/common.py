"""Options every command spells the same way (sqlite-utils' shared decorators): declared once here."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


DbOption = Annotated[
    Path | None, typer.Option("--db", help="warehouse file (default: $SILKSCOPE_DB or the user data dir)")
]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table for people, json/csv for machines")]
PartnersOption = Annotated[str | None, typer.Option("--partners", "-p", help="comma-separated, e.g. JPN,KOR,CHN")]
CountryOption = Annotated[str, typer.Option("--country", "-c", help="C5, a country or a list: KAZ,UZB")]
SinceOption = Annotated[int | None, typer.Option("--since", help="first year")]
UntilOption = Annotated[int | None, typer.Option("--until", help="last year")]
