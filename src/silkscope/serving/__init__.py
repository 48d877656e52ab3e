"""What the served entry points (REST API, dashboard) share: the served warehouse, worker processes, checks of
uploaded articles. Library code: no web framework here, and neither `api` nor `web` is imported."""
