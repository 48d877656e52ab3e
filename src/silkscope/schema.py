"""DDL of the warehouse: schemas raw/core/out and the core tables every loader writes to."""

from __future__ import annotations

SCHEMA_VERSION = 4  # v4: core.opinion answer, confidence, basis; core.coverage; core.country_classes

# Foreign keys are checked by the loaders (and `silkscope check-warehouse`), not declared: DuckDB cannot delete
# and re-insert referenced parent rows inside one transaction, which every reload does.
# Columns shared by every fact table. `source_id` is the primary citation; `source_ids` all of them;
# `citation_status` is 'cited' or 'unsourced' (a compiler's assertion awaiting a citation); `record` says
# where the row came from (file:line for the reference pack, raw table + row for ingested data).
_FACT_META = """
    source_id VARCHAR NOT NULL,
    source_ids VARCHAR[] NOT NULL,
    citation_status VARCHAR NOT NULL CHECK (citation_status IN ('cited', 'unsourced')),
    record VARCHAR NOT NULL,
    note VARCHAR
"""

# The C5 side of a dyad is a single country or a named group (e.g. a poll of four states): never both.
_SCOPE = """
    country_iso3 VARCHAR,
    group_id VARCHAR,
    CHECK ((country_iso3 IS NULL) <> (group_id IS NULL))
"""

DDL = [
    "CREATE SCHEMA IF NOT EXISTS raw",
    "CREATE SCHEMA IF NOT EXISTS core",
    "CREATE SCHEMA IF NOT EXISTS out",
    """CREATE TABLE IF NOT EXISTS core.meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS core.sources (
        source_id VARCHAR PRIMARY KEY,
        kind VARCHAR NOT NULL,          -- official, news, analysis, dataset, publication, compilation, curated_file
        publisher VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        url VARCHAR,
        licence VARCHAR,
        accessed DATE,                  -- when a cited page was read, if known
        retrieved_at TIMESTAMP,         -- when a file was downloaded or compiled
        sha256 VARCHAR,                 -- of the input file, where silkscope read a file
        version VARCHAR,                -- edition of a dataset
        citation VARCHAR NOT NULL,
        loaded_by VARCHAR NOT NULL,     -- 'reference_pack' or a connector name
        superseded_at TIMESTAMP         -- set when a newer edition of the same dataset replaced this one
    )""",
    """CREATE TABLE IF NOT EXISTS core.countries (
        country_iso3 VARCHAR PRIMARY KEY,
        iso2 VARCHAR,
        iso_numeric INTEGER,            -- equals the UN M49 code for countries
        dac_code INTEGER,
        name VARCHAR NOT NULL,
        official_name VARCHAR,
        common_name VARCHAR NOT NULL,
        role VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS core.country_aliases (
        alias VARCHAR NOT NULL,
        country_iso3 VARCHAR NOT NULL,
        kind VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS core.country_groups (
        group_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        definition VARCHAR NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS core.country_group_members (
        group_id VARCHAR NOT NULL,
        country_iso3 VARCHAR NOT NULL,
        PRIMARY KEY (group_id, country_iso3)
    )""",
    """CREATE TABLE IF NOT EXISTS core.actors (
        actor_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL,
        country_iso3 VARCHAR,          -- home state; NULL for multilaterals
        aliases VARCHAR[],
        url VARCHAR
    )""",
    f"""CREATE TABLE IF NOT EXISTS core.dialogue_formats (
        format_id VARCHAR PRIMARY KEY,
        name VARCHAR NOT NULL,
        partner_iso3 VARCHAR NOT NULL,
        members_iso3 VARCHAR[] NOT NULL,
        launched DATE NOT NULL,
        launched_precision VARCHAR NOT NULL,
        launch_level VARCHAR NOT NULL,
        first_summit DATE,
        first_summit_precision VARCHAR,
        top_level VARCHAR NOT NULL,
        {_FACT_META}
    )""",
    f"""CREATE TABLE IF NOT EXISTS core.events (
        event_id VARCHAR PRIMARY KEY,
        date_start DATE NOT NULL,
        date_end DATE NOT NULL,
        date_precision VARCHAR NOT NULL CHECK (date_precision IN ('day', 'month', 'year', 'range')),
        year INTEGER NOT NULL,
        event_type VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        mode VARCHAR NOT NULL CHECK (mode IN ('in_person', 'virtual')),
        level VARCHAR NOT NULL,
        visitor_iso3 VARCHAR[] NOT NULL,
        visitor_person VARCHAR,
        host_iso3 VARCHAR[] NOT NULL,
        trip_id VARCHAR,
        format_id VARCHAR,
        title VARCHAR NOT NULL,
        confidence VARCHAR,
        {_FACT_META}
    )""",
    """CREATE TABLE IF NOT EXISTS core.event_participants (
        event_id VARCHAR NOT NULL,
        country_iso3 VARCHAR NOT NULL,
        role VARCHAR NOT NULL CHECK (role IN ('visitor', 'host')),
        level VARCHAR NOT NULL,
        PRIMARY KEY (event_id, country_iso3, role)
    )""",
    f"""CREATE TABLE IF NOT EXISTS core.presence (
        fact_id VARCHAR PRIMARY KEY,
        partner_iso3 VARCHAR NOT NULL,
        {_SCOPE},
        as_of DATE NOT NULL,
        date_precision VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        presence_kind VARCHAR NOT NULL,  -- companies_operating, joint_ventures, enterprises_with_foreign_capital...
        count INTEGER NOT NULL CHECK (count >= 0),
        definition VARCHAR NOT NULL,
        {_FACT_META}
    )""",
    f"""CREATE TABLE IF NOT EXISTS core.opinion (
        fact_id VARCHAR PRIMARY KEY,
        subject_iso3 VARCHAR NOT NULL,   -- the partner respondents were asked about
        {_SCOPE},                        -- where respondents live
        fieldwork_start DATE NOT NULL,
        fieldwork_end DATE NOT NULL,
        fieldwork_precision VARCHAR NOT NULL,
        indicator VARCHAR NOT NULL,
        question VARCHAR NOT NULL,
        share_pct DOUBLE NOT NULL CHECK (share_pct BETWEEN 0 AND 100),
        sample_n INTEGER,
        pollster VARCHAR,
        answer VARCHAR,                  -- the answer whose share is given (approve, friendly or somewhat friendly...)
        confidence VARCHAR,              -- high, medium, low
        basis VARCHAR,                   -- publisher (the pollster's own release) or secondary_report
        {_FACT_META}
    )""",
    # What the curated timeline covers, per partner and instrument: years, and whether every event is in it.
    f"""CREATE TABLE IF NOT EXISTS core.coverage (
        fact_id VARCHAR PRIMARY KEY,
        partner_iso3 VARCHAR NOT NULL,
        instrument VARCHAR NOT NULL,     -- leader_visits, inbound_visits, dialogue_meetings
        first_year INTEGER NOT NULL,
        last_year INTEGER NOT NULL,
        completeness VARCHAR NOT NULL CHECK (completeness IN ('complete', 'partial')),
        {_FACT_META}
    )""",
    # Classes of countries a claim may name ('liberal democracy', 'Asian'), per year, with the index behind them.
    f"""CREATE TABLE IF NOT EXISTS core.country_classes (
        fact_id VARCHAR PRIMARY KEY,
        class_id VARCHAR NOT NULL,
        country_iso3 VARCHAR NOT NULL,
        first_year INTEGER NOT NULL,
        last_year INTEGER NOT NULL,
        member BOOLEAN NOT NULL,
        basis VARCHAR NOT NULL,          -- the index and its value, e.g. Freedom House status Free
        confidence VARCHAR NOT NULL,
        {_FACT_META}
    )""",
    # Heads of state and government (and the EU's two presidents) with their terms: term_end NULL while in office.
    f"""CREATE TABLE IF NOT EXISTS core.leader_terms (
        fact_id VARCHAR PRIMARY KEY,
        person VARCHAR NOT NULL,
        country_iso3 VARCHAR NOT NULL,
        office VARCHAR NOT NULL,         -- president, acting_president, prime_minister, premier, president_european_*
        level VARCHAR NOT NULL CHECK (level IN ('head_of_state', 'head_of_government')),
        term_start DATE NOT NULL,
        term_end DATE,
        confidence VARCHAR NOT NULL,
        {_FACT_META}
    )""",
    f"""CREATE TABLE IF NOT EXISTS core.finance_flows (
        fact_id VARCHAR NOT NULL,      -- unique per table (a data check, not an index: ingests load millions)
        donor_iso3 VARCHAR,              -- NULL for a multilateral donor: then donor_actor_id names it
        donor_actor_id VARCHAR,
        CHECK (donor_iso3 IS NOT NULL OR donor_actor_id IS NOT NULL),
        {_SCOPE},
        year INTEGER NOT NULL,
        flow_class VARCHAR NOT NULL,     -- oda_total, oda_grant, oda_loan, oof, export_credit, vague_official...
        measure VARCHAR NOT NULL,        -- commitment, disbursement_gross, disbursement_net
        price_basis VARCHAR NOT NULL CHECK (price_basis IN ('current', 'constant')),
        base_year INTEGER,               -- for constant prices; NULL when the publisher does not say
        currency VARCHAR NOT NULL,       -- currency the publisher reported in
        amount_usd DOUBLE NOT NULL,
        project_count INTEGER,
        project_id VARCHAR,              -- project-level sources (CRS, AidData); NULL for aggregates
        project_title VARCHAR,
        sector_code VARCHAR,             -- CRS purpose/sector code
        definition VARCHAR NOT NULL,
        {_FACT_META}
    )""",
    f"""CREATE TABLE IF NOT EXISTS core.trade_flows (
        fact_id VARCHAR NOT NULL,      -- unique per table (a data check, not an index: ingests load millions)
        partner_iso3 VARCHAR NOT NULL,
        {_SCOPE},
        year INTEGER NOT NULL,
        month INTEGER CHECK (month BETWEEN 1 AND 12),  -- NULL: the whole year; readers of annual trade filter on it
        direction VARCHAR NOT NULL CHECK (direction IN ('partner_to_country', 'country_to_partner', 'total')),
        reporter_iso3 VARCHAR,           -- who reported the figure; NULL when a secondary source does not say
        classification VARCHAR NOT NULL, -- total, HS, SITC
        product_code VARCHAR NOT NULL,   -- 'TOTAL' for all goods
        product_label VARCHAR,
        value_usd DOUBLE CHECK (value_usd >= 0),  -- NULL when published in another currency and no rate is loaded
        currency VARCHAR,                -- currency as published (USD, EUR); NULL on rows loaded before it was kept
        value_published DOUBLE,          -- the value in that currency, in units (a 'thousand USD' cell times 1000)
        unit_published VARCHAR,          -- the publisher's unit, e.g. 'thousand USD', 'million USD', 'EUR'
        price_basis VARCHAR NOT NULL,
        definition VARCHAR NOT NULL,
        {_FACT_META}
    )""",
    f"""CREATE TABLE IF NOT EXISTS core.investments (
        fact_id VARCHAR NOT NULL,      -- unique per table (a data check, not an index: ingests load millions)
        partner_iso3 VARCHAR NOT NULL,
        {_SCOPE},
        period_start DATE NOT NULL,
        period_end DATE NOT NULL,
        date_precision VARCHAR NOT NULL,
        year INTEGER NOT NULL,
        measure VARCHAR NOT NULL,        -- fdi_stock, fdi_flow, investment_cumulative
        reporter_iso3 VARCHAR,           -- who reported it: the host (inward) or the investor (mirror); NULL if unsaid
        bound VARCHAR NOT NULL CHECK (bound IN ('exact', 'approximate', 'lower', 'upper')),
        value_usd DOUBLE NOT NULL,
        price_basis VARCHAR NOT NULL,
        definition VARCHAR NOT NULL,
        {_FACT_META}
    )""",
    f"""CREATE TABLE IF NOT EXISTS core.published_claims (
        claim_id VARCHAR PRIMARY KEY,
        quote VARCHAR NOT NULL,
        claim_type VARCHAR NOT NULL,
        indicator VARCHAR NOT NULL,
        partner_iso3 VARCHAR,
        {_SCOPE},
        period_start DATE,
        period_end DATE,
        value DOUBLE,
        unit VARCHAR,
        definition_stated VARCHAR,
        {_FACT_META}
    )""",
]

CONNECTOR_DDL = [
    # Country-year (or dyad-year) indicator values: WDI context series, AidData public-diplomacy counts...
    f"""CREATE TABLE IF NOT EXISTS core.indicators (
        indicator_code VARCHAR NOT NULL,  -- the publisher's code, e.g. NY.GDP.MKTP.CD
        indicator_name VARCHAR NOT NULL,
        country_iso3 VARCHAR NOT NULL,
        partner_iso3 VARCHAR,             -- for dyadic series (e.g. China's visits to a country); else NULL
        year INTEGER NOT NULL,
        value DOUBLE,
        unit VARCHAR NOT NULL,
        definition VARCHAR NOT NULL,
        {_FACT_META}
    )""",
    # News-derived events (GDELT): counted, never mixed with the curated leader-visit timeline.
    f"""CREATE TABLE IF NOT EXISTS core.news_events (
        event_date DATE NOT NULL,
        year INTEGER NOT NULL,
        actor1_iso3 VARCHAR NOT NULL,
        actor2_iso3 VARCHAR NOT NULL,
        cameo_code VARCHAR NOT NULL,
        cameo_root VARCHAR NOT NULL,
        event_class VARCHAR NOT NULL,      -- visit_made, visit_hosted, meeting, agreement, other
        goldstein DOUBLE,
        num_mentions INTEGER,
        num_articles INTEGER,
        event_count INTEGER NOT NULL,      -- after de-duplication by source URL and day
        source_url VARCHAR,
        {_FACT_META}
    )""",
    # Dated engagements of named leaders from a biographical source (China Vitae): travel vs meetings at home.
    f"""CREATE TABLE IF NOT EXISTS core.leader_engagements (
        engagement_date DATE NOT NULL,
        year INTEGER NOT NULL,
        leader VARCHAR NOT NULL,
        leader_iso3 VARCHAR NOT NULL,
        level VARCHAR NOT NULL,            -- as core.events.level
        counterpart_iso3 VARCHAR NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('travel', 'meeting_at_home', 'other')),
        text VARCHAR,
        {_FACT_META}
    )""",
]

# Columns added after a table was first created: ensure_schema applies them to older warehouses (idempotent).
MIGRATIONS = [
    "ALTER TABLE core.trade_flows ADD COLUMN IF NOT EXISTS month INTEGER",
    "ALTER TABLE core.trade_flows ADD COLUMN IF NOT EXISTS currency VARCHAR",
    "ALTER TABLE core.trade_flows ADD COLUMN IF NOT EXISTS value_published DOUBLE",
    "ALTER TABLE core.trade_flows ADD COLUMN IF NOT EXISTS unit_published VARCHAR",
    "ALTER TABLE core.trade_flows ALTER COLUMN value_usd DROP NOT NULL",
    "ALTER TABLE core.opinion ADD COLUMN IF NOT EXISTS answer VARCHAR",
    "ALTER TABLE core.opinion ADD COLUMN IF NOT EXISTS confidence VARCHAR",
    "ALTER TABLE core.opinion ADD COLUMN IF NOT EXISTS basis VARCHAR",
]

LEADER_LEVELS = ("head_of_state", "head_of_government")
# Event types that are never visits, whoever travelled: findings, summits of multilateral organisations the partner
# is one member of (Turkic Council/OTS, SCO, CICA: meetings, not bilateral visits), policy milestones and a state's
# declaration of independence (no visitor at all).
NOT_VISITS = ("finding", "organisation_summit", "policy_milestone", "independence")

# Derived tables (out.*) are materialised by silkscope.analysis.materialise in the same transaction as the facts
# they derive from (build, ingest, snapshot load); requests read them and never recompute.
# One row per held, in-person visit of one country's delegation to one host country (a two-stop row gives two
# rows). `trip_key` groups stops of one journey: a summit row without a trip id takes the id of the same
# delegation's bilateral visit to the same host on overlapping days, so that trip counts once.
VISITS_SQL = f"""WITH pairs AS (
        SELECT e.*, v.country_iso3 AS visitor, h.country_iso3 AS host
        FROM core.events e
        JOIN core.event_participants v ON v.event_id = e.event_id AND v.role = 'visitor'
        JOIN core.event_participants h ON h.event_id = e.event_id AND h.role = 'host'
        WHERE e.status = 'held' AND e.mode = 'in_person' AND e.event_type NOT IN {NOT_VISITS})
    SELECT p.event_id, p.visitor AS visitor_iso3, p.host AS host_iso3, p.year, p.date_start, p.date_end,
           p.date_precision, p.event_type, p.level, p.trip_id,
           coalesce(p.trip_id,
                    (SELECT min(q.trip_id) FROM pairs q
                     WHERE q.trip_id IS NOT NULL AND q.visitor = p.visitor AND q.host = p.host
                       AND q.date_start <= p.date_end AND q.date_end >= p.date_start),
                    p.event_id) AS trip_key,
           p.format_id, p.title, p.visitor_person, p.level IN {LEADER_LEVELS} AS leader_level,
           p.source_id, p.source_ids, p.citation_status
    FROM pairs p"""
OUT_DDL = [
    f"CREATE TABLE IF NOT EXISTS out.visits AS {VISITS_SQL} LIMIT 0",
    """CREATE TABLE IF NOT EXISTS out.observations (
        measure VARCHAR NOT NULL,        -- a name in the measure catalogue (silkscope.analysis.measures)
        partner_iso3 VARCHAR,            -- NULL for a state's own series (GDP, FDI inflows from all investors)
        country_iso3 VARCHAR NOT NULL,   -- the Central Asian state, or a group id when the fact is about a group
        year INTEGER NOT NULL,
        value DOUBLE NOT NULL,
        unit VARCHAR NOT NULL,
        definition VARCHAR NOT NULL,
        source_id VARCHAR NOT NULL,
        dataset VARCHAR NOT NULL,        -- the loader of the source: a connector name or reference_pack
        edition VARCHAR,                 -- the source's edition (core.sources.version)
        flow_class VARCHAR,              -- facets (analysis.measures.FACETS), NULL where the measure has none:
        base_year INTEGER,               --   finance flow class and constant-price base year,
        bound VARCHAR,                   --   an investment figure's bound (exact, lower),
        as_of VARCHAR                    --   the date a count stands at, at its source's precision
    )""",
    # warehouses built before the facets: the next build or ingest re-materialises (out_version changed)
    *(
        f"ALTER TABLE out.observations ADD COLUMN IF NOT EXISTS {c} {t}"
        for c, t in (("flow_class", "VARCHAR"), ("base_year", "INTEGER"), ("bound", "VARCHAR"), ("as_of", "VARCHAR"))
    ),
]
VIEWS: list[str] = []

# Tables the reference pack owns, in the order they must be emptied (children first) and filled (parents first).
PACK_TABLES_FILL_ORDER = [
    "core.countries",
    "core.country_aliases",
    "core.country_groups",
    "core.country_group_members",
    "core.actors",
    "core.sources",
    "core.dialogue_formats",
    "core.events",
    "core.event_participants",
    "core.presence",
    "core.opinion",
    "core.finance_flows",
    "core.trade_flows",
    "core.investments",
    "core.published_claims",
    "core.coverage",
    "core.country_classes",
    "core.leader_terms",
]
