"""A section's source list is drawn in Python (web.render.source_items) and kept per distinct source; it must say
exactly what the Jinja loop it replaced said, escaped the same way, and follow a source whose text changes."""

from __future__ import annotations

from dataclasses import dataclass

from silkscope.web.render import environment, source_items

# The loop macros.sources_list had before (less its id, which repeated on pages citing a source twice): the
# specification the Python drawing is held to.
JINJA_ITEMS = (
    "{% for s in sources %}\n"
    "    <li>"
    '{% if s.url %}<a href="{{ s.url }}" rel="noopener noreferrer">{{ s.publisher }}</a>'
    "{% else %}{{ s.publisher }}{% endif %}:\n"
    '      {{ s.title }}{% if s.licence %} <span class="src">· {{ s.licence }}</span>{% endif %}'
    '{% if s.sha256 %} <span class="src">· sha256 {{ s.sha256[:12] }}</span>{% endif %}</li>\n'
    "  {% endfor %}"
)

SOURCES = [
    {"source_id": "wdi-2024", "url": "https://data.worldbank.org/?a=1&b=<2>", "publisher": "World Bank",
     "title": 'WDI "DT.ODA" & friends', "licence": "CC BY 4.0", "sha256": "0123456789abcdef0123"},
    {"source_id": "ref:visit-1", "url": None, "publisher": "MOFA <Japan>", "title": "Visit of the Prime Minister",
     "licence": None, "sha256": None},
    {"source_id": "x'y", "url": "", "publisher": "", "title": "", "licence": "", "sha256": ""},
    {"source_id": "partial", "publisher": "A publisher", "title": "fields missing from the row"},
]  # fmt: skip


def _jinja(sources):
    return environment().from_string(JINJA_ITEMS).render(sources=sources)


def test_source_items_say_what_the_jinja_loop_said_escaped_the_same_way():
    drawn = str(source_items(SOURCES))
    assert drawn.split() == _jinja(SOURCES).split()
    assert "&lt;Japan&gt;" in drawn and "&#34;DT.ODA&#34; &amp; friends" in drawn and "?a=1&amp;b=&lt;2&gt;" in drawn
    assert "sha256 0123456789ab " not in drawn and "sha256 0123456789ab</span>" in drawn


def test_source_items_read_records_as_well_as_rows():
    @dataclass
    class Source:
        source_id: str
        url: str | None
        publisher: str
        title: str

    record = Source("rec-1", "https://example.org/r", "Publisher", "A record")
    assert str(source_items([record])).split() == _jinja([record]).split()


def test_a_changed_source_is_drawn_anew_not_taken_from_the_kept_items():
    before = str(source_items([SOURCES[0]]))
    changed = {**SOURCES[0], "title": "A corrected title"}
    after = str(source_items([changed]))
    assert "A corrected title" in after and "A corrected title" not in before
    assert str(source_items([])) == ""


def test_a_list_drawn_again_is_kept_and_a_list_with_another_entry_is_drawn_anew():
    sources = [dict(s) for s in SOURCES]
    first = source_items(sources)
    assert source_items(sources) is first  # the same answer's list: its items are not joined again
    assert source_items(list(sources)) is first  # the same entries in another list (another section, same sources)
    replaced = [*sources[:1], {**sources[1], "title": "Another visit"}, *sources[2:]]
    again = source_items(replaced)
    assert "Another visit" in again and "Another visit" not in first
