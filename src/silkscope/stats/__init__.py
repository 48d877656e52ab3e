"""Statistical models over the indicators: visit effects (panel model, event study) and synthetic panels."""
