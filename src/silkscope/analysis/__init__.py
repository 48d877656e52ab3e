"""The analysis layer: the measure catalogue and the out.* tables materialised from core.*."""
