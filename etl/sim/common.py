"""Parameters, random streams and calendar helpers shared by the simulator's modules."""

from __future__ import annotations

import tomllib
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from etl import config


@dataclass(frozen=True)
class Params:
    """The parsed simulation.toml plus the chosen scale."""

    raw: dict
    scale: dict
    seed: int
    noise: dict
    world: dict = field(default_factory=dict)  # a world built to break the estimator ([worlds])

    def __getitem__(self, key: str) -> dict:
        return self.raw[key]

    @property
    def channels(self) -> list[str]:
        return list(self.raw["channels"]["names"])


NOISE_LEVELS = ("default", "low")  # `demo --noise`: the rough world, or the old smooth one


def world_names(path: Path | None = None) -> list[str]:
    """The worlds built to break the estimator ([worlds.NAME] in simulation.toml)."""
    raw = tomllib.loads(Path(path or config.SIMULATION_TOML).read_text(encoding="utf-8"))
    return sorted(raw.get("worlds", {}))


def load_params(seed: int, scale: str, noise: str = "default", path: Path | None = None,
                world: str | None = None) -> Params:
    """Read the parameter file and pick one scale and one noise level, and optionally one
    world of [worlds]: its `noise`, `scale` and `calendar` tables replace those keys; its other
    keys are read by the simulator (p.world)."""
    raw = tomllib.loads(Path(path or config.SIMULATION_TOML).read_text(encoding="utf-8"))
    w = dict(raw.get("worlds", {})[world]) if world else {}
    raw["calendar"] = {**raw["calendar"], **w.pop("calendar", {})}
    return Params(raw=raw, scale={**raw["scale"][scale], **w.pop("scale", {})}, seed=seed,
                  noise={**raw["noise"][noise], **w.pop("noise", {})}, world=w)


def rng(seed: int, stream: str) -> np.random.Generator:
    """A named random stream: adding a stream never changes the draws of another."""
    ss = np.random.SeedSequence([seed, zlib.crc32(stream.encode())])
    return np.random.Generator(np.random.PCG64(ss))


def month_index(ym: str, first: str) -> int:
    """Months from `first` ('YYYY-MM') to `ym`."""
    y, m = map(int, ym.split("-"))
    y0, m0 = map(int, first.split("-"))
    return (y - y0) * 12 + (m - m0)


def month_starts(first: str, n: int) -> np.ndarray:
    """Day numbers (days since 1970-01-01) of the first day of n months from `first`."""
    months = np.datetime64(first, "M") + np.arange(n)
    return months.astype("datetime64[D]").astype(np.int64)


def month_lengths(first: str, n: int) -> np.ndarray:
    starts = month_starts(first, n + 1)
    return np.diff(starts)


def logistic(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def zipf_weights(n: int, exponent: float) -> np.ndarray:
    """Popularity of ranks 1..n: ∝ 1 / rank^exponent, summing to 1."""
    w = 1.0 / np.arange(1, n + 1, dtype=float) ** exponent
    return w / w.sum()


def group_cumcount(groups: np.ndarray) -> np.ndarray:
    """0, 1, 2… within each run of equal values of a SORTED group array."""
    n = groups.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(groups[1:] != groups[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n) - run_start


def split_total(rng_: np.random.Generator, totals: np.ndarray, parts: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Split each integer total into `parts` positive integers summing exactly to it.

    Returns (group index per part, part values). Needs 1 ≤ parts ≤ totals.
    """
    gid = np.repeat(np.arange(totals.size), parts)
    w = rng_.exponential(size=gid.size)
    wsum = np.bincount(gid, weights=w, minlength=totals.size)
    extra = (totals - parts).astype(np.int64)
    alloc = np.floor(extra[gid] * w / wsum[gid]).astype(np.int64)
    left = extra - np.bincount(gid, weights=alloc, minlength=totals.size).astype(np.int64)
    values = 1 + alloc
    firsts = np.r_[0, np.cumsum(parts)[:-1]]
    has = parts > 0
    values[firsts[has]] += left[has]
    return gid, values
