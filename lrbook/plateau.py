"""Moved to :mod:`lrbook.schedules.plateau`; kept so that old imports keep working."""

from .schedules.plateau import ReduceLROnPlateau

__all__ = ["ReduceLROnPlateau"]
