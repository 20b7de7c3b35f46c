"""What makes an estimator a sampler to scikit-learn and imbalanced-learn: its tags."""

from __future__ import annotations

import dataclasses

from imblearn.utils._tags import InputTags, SamplerTags, Tags

__all__ = ["sampler_tags"]


def _fields(tags) -> dict:
    """A tags dataclass's own fields (not a deep copy, unlike dataclasses.asdict)."""
    return {f.name: getattr(tags, f.name) for f in dataclasses.fields(tags)}


def sampler_tags(tags, *, target_required=True):
    """scikit-learn's ``tags`` made imbalanced-learn's sampler tags, for dense arrays of 2 to 4 dimensions.

    ``target_required=False`` for a sampler whose ``fit`` learns without labels (its ``fit_resample`` takes them).
    """
    tags = Tags(**_fields(tags), sampler_tags=SamplerTags())
    tags.input_tags = InputTags(**_fields(tags.input_tags), dataframe=False)
    tags.estimator_type = "sampler"
    tags.input_tags.three_d_array = True
    tags.target_tags.required = target_required
    return tags
