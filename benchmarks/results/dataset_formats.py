"""How a dataset (exported runs, a benchmark's tasks) is written: one registry entry per file format, so the
command line's choices, the writer and the card's Hub configuration come from one place. Light to import:
the writers receive a `datasets.Dataset` built by their caller.

    hf        a `save_to_disk` folder (`datasets.load_from_disk` reads it)
    parquet   one parquet file (pyarrow, pandas, DuckDB, the Hub read it), named in the card's `configs`
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from benchmarks.core.registry import Registry


@dataclass(frozen=True)
class DatasetFormat:
    name: str
    write: Callable[[Any, Path, str], None]  # (dataset, folder, parquet file name)
    hub_configs: Callable[[str, str], list[dict[str, Any]] | None]  # (split, parquet file name) -> the card's configs


def parquet_config(split: str, file: str) -> list[dict[str, Any]]:
    """The card's `configs` entry that tells the Hub where the parquet file of a split is."""
    return [{"config_name": "default", "data_files": [{"split": split, "path": file}]}]


def save_to_disk(dataset: Any, folder: Path) -> None:
    """`save_to_disk`, with at least one shard: with none (0 rows) `load_from_disk` cannot read it back."""
    dataset.save_to_disk(str(folder), **({"num_shards": 1} if len(dataset) == 0 else {}))


# Adding a format is one entry here.
DATASET_FORMATS: Registry[DatasetFormat] = Registry("dataset format")
DATASET_FORMATS.register("hf", DatasetFormat("hf", lambda dataset, folder, _: save_to_disk(dataset, folder),
                                             lambda split, file: None))
DATASET_FORMATS.register("parquet", DatasetFormat("parquet",
                                                  lambda dataset, folder, file: dataset.to_parquet(str(folder / file)),
                                                  parquet_config))
