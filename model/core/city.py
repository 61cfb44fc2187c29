"""The city: a square grid of neighbourhoods with an income gradient and urban villages.

Households live across the grid and are richer near the centre; migrant workers
rent in urban villages, a few low-rent cells. Live-out work costs commuting by
distance, which enters a live-out worker's reservation wage for each job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.scenario.schema import City as CityParams


@dataclass
class City:
    """Cell geometry, computed once at set-up."""

    x_km: np.ndarray  # cell centre, km from the city centre
    y_km: np.ndarray
    distance_from_centre_km: np.ndarray
    urban_villages: np.ndarray  # cell ids of urban villages
    income_multiplier: np.ndarray  # per cell, mean 1 over cells

    @property
    def cells(self) -> int:
        """Number of neighbourhoods."""
        return self.x_km.size

    def distance_km(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Straight-line distance between cells ``a`` and ``b`` (element-wise)."""
        return np.hypot(self.x_km[a] - self.x_km[b], self.y_km[a] - self.y_km[b])


def build_city(params: CityParams, rng: np.random.Generator) -> City:
    """Lay out the grid; urban villages are the cells nearest a ring at ``city.urban_village_ring`` of the radius."""
    g = params.grid_size
    centre = (g - 1) / 2
    iy, ix = np.divmod(np.arange(g * g), g)
    x = (ix - centre) * params.cell_km
    y = (iy - centre) * params.cell_km
    r = np.hypot(x, y)
    n_villages = max(1, round(params.urban_village_share * g * g))
    # Urban villages sit in the ring between the old centre and the new suburbs.
    ring = params.urban_village_ring * (r.max() if r.max() > 0 else 1.0)
    score = np.abs(r - ring) + rng.random(g * g) * params.cell_km
    villages = np.sort(np.argsort(score, kind="stable")[:n_villages])
    multiplier = np.exp(-params.income_gradient * r)
    multiplier /= multiplier.mean()
    return City(x, y, r, villages, multiplier)
