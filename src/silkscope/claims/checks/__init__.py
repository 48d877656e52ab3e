"""Claim checks: one module per claim family over a shared base (base.py); claims/verify.py dispatches."""
