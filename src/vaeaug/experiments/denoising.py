"""The denoising study: our VAE beside scikit-image's classical denoisers, at several noise levels.

For each noise level it corrupts the test images (seeded), denoises them with
a ``VAEDenoiser`` trained on the clean training images and with each classical
denoiser, and scores every version by PSNR and SSIM (scikit-image) against the
clean images, and by the accuracy of one classifier trained on clean images.
A classical denoiser's one parameter (TV weight, wavelet threshold sigma,
Gaussian filter width) is chosen per noise level by PSNR on noisy copies of
training images, never on the test images.

A study is a YAML file with ``task: denoising`` (see ``configs/``), run by
``vaeaug experiment``. Every finished row is written at once to
``results.json``; trained denoisers are kept, so an interrupted study resumes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from .._files import check_exists, write_text_atomic
from .._validation import (build_config, check_choice, check_field_types, check_params, check_positive, check_seed,
                           reject_unknown)
from .._choices import CLASSIFIERS
from ..classifiers import make_classifier
from ..evaluation import takes_images
from ..data.datasets import NAMED, load
from ..report.figures import plot_image_rows
from ..vae.denoiser import VAEDenoiser, corrupt, parse_noise
from .results import ResultStore

__all__ = ["DENOISERS", "DenoisingStudyConfig", "image_quality", "run_denoising_study"]

TUNING_IMAGES = 300  # noisy training images that choose each classical denoiser's parameter
STRENGTHS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5]  # TV weights and wavelet sigmas tried


def _classical():
    """name -> (function of one image and the parameter, the parameter's name, the values tried)."""
    from skimage.filters import gaussian
    from skimage.restoration import denoise_tv_chambolle, denoise_wavelet

    return {
        "tv": (lambda image, w: denoise_tv_chambolle(image, weight=w), "weight", STRENGTHS),
        "wavelet": (lambda image, s: denoise_wavelet(image, sigma=s, mode="soft", method="BayesShrink"),
                    "sigma", STRENGTHS),
        "gaussian": (lambda image, s: gaussian(image, sigma=s), "sigma", [0.3, 0.5, 0.75, 1.0, 1.5, 2.0]),
    }


DENOISERS = ("vae", "tv", "wavelet", "gaussian")


def image_quality(clean, estimate) -> dict[str, float]:
    """Mean PSNR (dB) and SSIM over images in [0, 1], from scikit-image's metrics."""
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    clean, estimate = np.asarray(clean, np.float64), np.clip(np.asarray(estimate, np.float64), 0, 1)
    channel = 0 if clean.ndim == 4 else None
    psnr = [peak_signal_noise_ratio(a, b, data_range=1.0) for a, b in zip(clean, estimate)]
    ssim = [structural_similarity(a, b, data_range=1.0, channel_axis=channel) for a, b in zip(clean, estimate)]
    return {"psnr": float(np.mean(psnr)), "ssim": float(np.mean(ssim))}


def _apply(function, images, parameter):
    if images.ndim == 4:  # (N, C, H, W): each channel on its own
        return np.stack([[function(channel, parameter) for channel in image] for image in images])
    return np.stack([function(image, parameter) for image in images])


@dataclass
class DenoisingStudyConfig:
    """One denoising study.

    ``noise_levels`` are ``{noise, sigma}`` mappings (see :func:`vaeaug.vae.denoiser.parse_noise`);
    ``vae`` holds ``VAEDenoiser`` parameters; ``test_subsample`` scores a
    stratified share of the test images only (to price a study); the
    classifier is trained once on the clean training images.
    """

    task: str = "denoising"
    name: str = "denoising"
    description: str = ""
    dataset: str = "digits"
    noise_levels: list = field(default_factory=lambda: [{"noise": "gaussian", "sigma": s} for s in (0.1, 0.3, 0.5)])
    denoisers: list[str] = field(default_factory=lambda: list(DENOISERS))
    vae: dict = field(default_factory=dict)
    classifier: str = "cnn"
    classifier_options: dict = field(default_factory=dict)
    seed: int = 0
    test_subsample: int | None = None
    figure_images: int = 8
    data_dir: str | None = None
    device: str = "auto"

    @classmethod
    def from_dict(cls, raw: dict, *, where="the config") -> "DenoisingStudyConfig":
        return build_config(cls, raw, where)

    def validate(self, where="the config") -> "DenoisingStudyConfig":
        check_field_types(self, where)
        check_choice(self.task, ("denoising",), name=f"task in {where}")
        if self.dataset not in NAMED and not Path(self.dataset).exists():
            check_exists(self.dataset, "Dataset ")
            raise ValueError(f"Unknown dataset {self.dataset!r} in {where}; choose one of {', '.join(NAMED)}, "
                             "or give the path of a file or image folder.")
        if not isinstance(self.noise_levels, list) or not self.noise_levels:
            raise ValueError(f"noise_levels in {where} must be a non-empty list of {{noise, sigma}} mappings.")
        for level in self.noise_levels:
            if not isinstance(level, dict):
                raise ValueError(f"each of noise_levels in {where} must be a mapping such as "
                                 f"{{noise: gaussian, sigma: 0.3}}; got {level!r}.")
            reject_unknown(level, ("noise", "sigma"), f"noise_levels of {where}")
            parse_noise(level.get("noise", "gaussian"), level.get("sigma", 0.3))
        if not isinstance(self.denoisers, list) or not self.denoisers:
            raise ValueError(f"denoisers in {where} must be a non-empty list of {', '.join(DENOISERS)}.")
        for denoiser in self.denoisers:
            check_choice(denoiser, DENOISERS, name=f"denoiser in {where}")
        reject_unknown(self.vae, [p for p in VAEDenoiser().get_params() if p not in ("noise", "sigma",
                                                                                    "random_state", "device")],
                        f"vae of {where}")
        check_params(VAEDenoiser, {**self.vae, "device": self.device}, where=f"vae of {where}")
        check_choice(self.classifier, CLASSIFIERS, name=f"classifier in {where}")
        make_classifier(self.classifier, **self.classifier_options)
        check_seed(self.seed, name=f"seed in {where}")
        if self.test_subsample is not None:
            check_positive(self.test_subsample, name="test_subsample", integer=True)
        check_positive(self.figure_images, name="figure_images", integer=True)
        return self


def _label(level) -> str:
    sigma = level.get("sigma", 0.3)
    sigma = "/".join(map(str, sigma)) if isinstance(sigma, list) else str(sigma)
    return f"{level.get('noise', 'gaussian')} σ={sigma}"


def _split(config, data):
    """Clean training images (for the VAE, the tuning and the classifier) and test images."""
    if "test" in data.splits:
        train = np.setdiff1d(np.arange(len(data.X)), data.splits["test"])
        test = data.splits["test"]
    else:
        train, test = train_test_split(np.arange(len(data.X)), test_size=0.3, stratify=data.y,
                                       random_state=config.seed)
    if config.test_subsample is not None and config.test_subsample < len(test):
        test, _ = train_test_split(test, train_size=config.test_subsample, stratify=data.y[test],
                                   random_state=config.seed)
    return np.sort(train), np.sort(test)


def _vae_denoiser(config, X_train, noise, folder, progress):
    """The level's VAEDenoiser, loaded from ``folder`` or trained on the clean images and saved there."""
    if (folder / VAEDenoiser.saved_file).is_file():
        return VAEDenoiser.load(folder, device=config.device), {}
    started = time.perf_counter()
    denoiser = VAEDenoiser(**config.vae, **noise, device=config.device, random_state=config.seed,
                           verbose="auto" if progress else False).fit(X_train)
    denoiser.save(folder)
    return denoiser, {"training_seconds": round(time.perf_counter() - started, 2),
                      "epochs": len(denoiser.history_.train_loss), "best_epoch": denoiser.history_.best_epoch}


def _row_id(record) -> str:
    return json.dumps([record["noise_level"], record["denoiser"]])


def _is_row(record) -> bool:
    return isinstance(record, dict) and {"noise_level", "denoiser", "ssim", "accuracy"} <= set(record)


class _CleanClassifier:
    """The study's classifier, trained once on the clean training images; scores denoised test images."""

    def __init__(self, config, X_train, y_train, y_test):
        started = time.perf_counter()
        self.model = make_classifier(config.classifier, random_state=config.seed, device=config.device,
                                     **config.classifier_options)
        self.model.fit(self._input(X_train), y_train)
        self.y_test, self.seconds = y_test, round(time.perf_counter() - started, 2)

    def _input(self, X):
        return X if takes_images(self.model) else X.reshape(len(X), -1)

    def accuracy(self, X) -> float:
        return float(np.mean(self.model.predict(self._input(X)) == self.y_test))


def _classical_denoise(name, noisy, X_tuning, noise, seed):
    """A classical denoiser's output, its parameter chosen by PSNR on noisy copies of ``X_tuning``."""
    function, parameter, values = _classical()[name]
    tuning_noisy = corrupt(X_tuning, **noise, random_state=seed)
    scores = [image_quality(X_tuning, _apply(function, tuning_noisy, v))["psnr"] for v in values]
    chosen = values[int(np.argmax(scores))]
    return _apply(function, noisy, chosen).astype(np.float32), {parameter: chosen}


def run_denoising_study(config: DenoisingStudyConfig, run_dir, *, data_dir=None, progress=True, log=print):
    """Run every row of ``config`` not already in ``run_dir/results.json``; return the results.

    Rows already done are recomputed for the figures, not recorded again.
    """
    config.validate()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    store = ResultStore(run_dir, config, identity=_row_id, is_record=_is_row)

    def finish(record, started):
        if _row_id(record) not in store:
            store.add({**record, "seconds": round(time.perf_counter() - started, 2)})
            log(f"{record['noise_level']:>24}  {record['denoiser']:<9} PSNR {record['psnr'] or float('inf'):6.2f} "
                f"dB  SSIM {record['ssim']:.3f}  accuracy {100 * record['accuracy']:.2f} %")

    data = load(config.dataset, data_dir or config.data_dir)
    if data.X.ndim < 3:
        raise ValueError(f"{config.dataset} holds feature vectors (shape {data.X.shape}), not images; the "
                         "denoising study needs an image dataset.")
    train, test = _split(config, data)
    X_train, X_test = data.X[train], data.X[test]
    tuning = np.random.default_rng(config.seed).choice(len(X_train), size=min(TUNING_IMAGES, len(X_train)),
                                                       replace=False)
    started = time.perf_counter()
    classifier = _CleanClassifier(config, X_train, data.y[train], data.y[test])
    finish({"noise_level": "clean", "denoiser": "none", "psnr": None, "ssim": 1.0,
            "accuracy": classifier.accuracy(X_test), "classifier_seconds": classifier.seconds}, started)
    for index, level in enumerate(config.noise_levels):
        label = _label(level)
        noise = {"noise": level.get("noise", "gaussian"), "sigma": level.get("sigma", 0.3)}
        noisy = corrupt(X_test, **noise, random_state=config.seed + index)
        shown = {"clean": X_test[:config.figure_images], "noisy": noisy[:config.figure_images]}
        started = time.perf_counter()
        finish({"noise_level": label, "denoiser": "none", **image_quality(X_test, noisy),
                "accuracy": classifier.accuracy(noisy)}, started)
        for name in config.denoisers:
            started = time.perf_counter()
            if name == "vae":
                denoiser, extra = _vae_denoiser(config, X_train, noise, run_dir / "denoisers" / f"level-{index}",
                                                progress)
                cleaned = denoiser.transform(noisy)
            else:
                cleaned, extra = _classical_denoise(name, noisy, X_train[tuning], noise, config.seed + 1000 + index)
            shown[name] = cleaned[:config.figure_images]
            finish({"noise_level": label, "denoiser": name, **image_quality(X_test, cleaned),
                    "accuracy": classifier.accuracy(cleaned), **extra}, started)
        plot_image_rows(list(shown.values()), run_dir / f"denoising-{index}.png", row_labels=list(shown),
                        title=f"{data.name} test images, {label}")
    results = store.complete()
    table = format_denoising_table(results["records"])
    figures = "".join(f"![{_label(level)}](denoising-{i}.png)\n" for i, level in enumerate(config.noise_levels))
    write_text_atomic(run_dir / "results.md", f"# {config.name}\n\n{config.description}\n\n{table}\n\n{figures}")
    log(f"\n{config.dataset}: denoising, {len(X_test)} test images, seed {config.seed}\n\n{table}\n")
    log(f"Results in {run_dir} (results.json, results.md, denoising-*.png)")
    return results


def format_denoising_table(records) -> str:
    """Markdown: one row per (noise level, denoiser) with PSNR, SSIM and classifier accuracy."""
    lines = ["| Noise | Denoiser | PSNR (dB) | SSIM | Accuracy (%) | Parameter |", "|---|---|---|---|---|---|"]
    for r in records:
        parameter = ", ".join(f"{k} {r[k]}" for k in ("weight", "sigma") if k in r)
        psnr = "—" if r["psnr"] is None else f"{r['psnr']:.2f}"
        lines.append(f"| {r['noise_level']} | {r['denoiser']} | {psnr} | {r['ssim']:.3f} | "
                     f"{100 * r['accuracy']:.2f} | {parameter} |")
    return "\n".join(lines)
