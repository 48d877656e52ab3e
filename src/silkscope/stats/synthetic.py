"""Synthetic dyad-year panels with a planted visit effect (or none), to test the estimators against the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd

PARTNERS = ("JPN", "CHN", "KOR", "RUS", "USA", "TUR", "IND", "DEU")
COUNTRIES = ("KAZ", "KGZ", "TJK", "TKM", "UZB")


def planted_panel(
    effect: float = 0.5,
    *,
    n_partners: int = 8,
    n_years: int = 20,
    visit_rate: float = 0.3,
    noise: float = 1.0,
    lag: int = 1,
    seed: int = 0,
    first_year: int = 2000,
) -> pd.DataFrame:
    """One row per partner x C5 country x year, shaped like the dyad-year panel.

    outcome = dyad effect + year effect + `effect` * leader_visits_to_country (lagged `lag` years) + N(0, noise);
    visits ~ Poisson(visit_rate) independent of the effects, so the lagged-visit coefficient is `effect` exactly in
    expectation. Inbound visits and dialogue meetings are drawn too, with no effect.
    """
    rng = np.random.default_rng(seed)
    partners = PARTNERS[:n_partners]
    years = np.arange(first_year, first_year + n_years)
    idx = pd.MultiIndex.from_product([partners, COUNTRIES, years], names=["partner_iso3", "country_iso3", "year"])
    df = idx.to_frame(index=False)
    n_dyads = len(partners) * len(COUNTRIES)
    dyad_fe = np.repeat(rng.normal(0, 2, n_dyads), n_years)
    year_fe = np.tile(rng.normal(0, 1, n_years), n_dyads)
    df["leader_visits_to_country"] = rng.poisson(visit_rate, len(df))
    df["leader_visits_to_partner"] = rng.poisson(visit_rate, len(df))
    df["dialogue_meetings"] = rng.poisson(visit_rate / 2, len(df))
    lagged = df.groupby(["partner_iso3", "country_iso3"])["leader_visits_to_country"].shift(lag).fillna(0)
    df["outcome"] = 10 + dyad_fe + year_fe + effect * lagged.to_numpy() + rng.normal(0, noise, len(df))
    return df
