"""Would a schema library give better config errors than vaeaug's own checks? Print both, side by side.

A pydantic model of the part of ``ExperimentConfig`` that the bad configs below touch,
with the same types and bounds, against ``ExperimentConfig.from_dict``. Run with pydantic
installed (it is not a vaeaug dependency):

    python docs/probes/config_schema_messages.py
"""

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vaeaug import ExperimentConfig


class VAESettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    patience: int = Field(5, gt=0)
    validation_fraction: float = Field(0.1, ge=0, lt=1)
    max_epochs: int = Field(100, gt=0)


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "experiment"
    datasets: list[str] = ["digits"]
    latent_dims: list[int] = [10]
    methods: list[str] = ["noise"]
    seeds: list[int] = [0]
    space: Literal["data", "latent"] = "data"
    labelled_subsample: Optional[int] = Field(None, gt=0)
    vae: VAESettings = VAESettings()


BAD = [
    {"methodz": ["noise"]},
    {"latent_dims": ["ten"]},
    {"space": "latnt"},
    {"vae": {"validation_fraction": "x"}},
    {"vae": {"patiense": 3}},
    {"datasets": [123]},
    {"methods": [["noise"]]},
    {"vae": 5},
]


def first_line(error) -> str:
    return " ".join(str(error).split())


if __name__ == "__main__":
    print("| config | vaeaug | pydantic |\n|---|---|---|")
    for bad in BAD:
        try:
            ExperimentConfig.from_dict({"name": "x", **bad}, where="exp.yaml")
            ours = "(accepted)"
        except Exception as error:  # the probe records whatever each raises
            ours = f"{type(error).__name__}: {first_line(error)}"
        try:
            Schema(**{"name": "x", **bad})
            theirs = "(accepted)"
        except ValidationError as error:
            theirs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        print(f"| `{bad}` | {ours} | {theirs} |")
