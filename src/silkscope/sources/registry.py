"""The connectors by name, imported only when used: a light module (no warehouse, no analysis) that labels and
pages can read without importing the ingest machinery."""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING

from silkscope.errors import SilkscopeError

if TYPE_CHECKING:
    from silkscope.sources.base import Connector

# name -> "module:Class"; modules are imported only when used, so one broken connector cannot break the others.
CONNECTORS: dict[str, str] = {
    "aiddata_flows": "silkscope.sources.aiddata_flows:AidDataFlows",
    "aiddata_china": "silkscope.sources.aiddata_china:AidDataChinaProjects",
    "aiddata_china_geo": "silkscope.sources.aiddata_china_geo:AidDataChinaGeocoded",
    "aiddata_diplomacy": "silkscope.sources.aiddata_diplomacy:AidDataPublicDiplomacy",
    "oecd_dac2a": "silkscope.sources.oecd_dac2a:OecdDac2a",
    "oecd_crs": "silkscope.sources.oecd_crs:OecdCrs",
    "wdi": "silkscope.sources.wdi:WdiBulk",
    "wdi_api": "silkscope.sources.wdi_api:WdiApi",
    "wdi_ddf": "silkscope.sources.wdi_ddf:WdiDdf",
    "eurostat_comext": "silkscope.sources.eurostat_comext:EurostatComext",
    "kz_bns": "silkscope.sources.kz_bns:KzBnsTrade",
    "kg_nsc": "silkscope.sources.kg_nsc:KgNscTrade",
    "uz_stat": "silkscope.sources.uz_stat:UzStatTrade",
    "rosstat": "silkscope.sources.rosstat:RosstatCisTrade",
    "comtrade": "silkscope.sources.comtrade:ComtradeApi",
    "comtrade_bulk": "silkscope.sources.comtrade:ComtradeBulk",
    "gdelt1": "silkscope.sources.gdelt:Gdelt1",
    "gdelt2": "silkscope.sources.gdelt:Gdelt2",
    "chinavitae": "silkscope.sources.chinavitae:ChinaVitae",
    "imf_cdis": "silkscope.sources.imf_cdis:ImfCdis",
}


def get_connector(name: str) -> Connector:
    if name not in CONNECTORS:
        raise SilkscopeError(f"unknown source {name!r}; expected one of: {', '.join(sorted(CONNECTORS))}")
    module, cls = CONNECTORS[name].split(":")
    return getattr(importlib.import_module(module), cls)()


def available() -> list[str]:
    """Connectors whose module is installed (a connector still being written is simply not offered)."""
    names = []
    for name, target in CONNECTORS.items():
        module = target.split(":")[0]
        if importlib.util.find_spec(module) is not None:
            names.append(name)
    return names
