"""Does the conditional model's style z2 carry anything? Its use, by free bits, and what its draws look like.

The decoder p(z | z2, y) of the conditional model (M1+M2) can ignore the style: then every style decodes to
the class's one prototype, and the class-conditional draws and style transfers cannot vary (the default run's
``styles.png``). For each ``style_free_bits`` this measures, on a run's protocol:

- the KL of q(z2 | z, y) per style dimension over the unlabelled samples (a dimension with under 0.1 nats is
  unused), and how many dimensions are used;
- ``decoded spread``: 200 unlabelled samples' styles decoded with each class, the spread of those codes (mean
  standard deviation per code dimension) over the spread of the unlabelled codes the model gives that class:
  near 0, every style gives one prototype; near 1, a class's decodes vary as its samples do; and their
  ``fidelity``, the share q(y | z) gives the class they were decoded with (a style that carries the class
  overrides it);
- the quality report of ``conditional-prior+agree`` draws (3 per labelled sample): the judge's agreement and
  the within-class spread against the labelled samples' (:func:`vaeaug.report.quality.sample_quality`);
- q(y | z)'s test accuracy (the teacher's), which the style must not cost.

    python benchmarks/style_use.py --dataset digits --labelled-per-class 10 --seeds 0 1 2
    # writes benchmarks/results/style_use/<dataset>-k<k>.{json,md}
"""

from __future__ import annotations

import json
import platform
import time

import numpy as np
import torch

from few_shot import few_shot_parser, few_shot_splits
from vaeaug import ConditionalAugmenter, VAEAugmenter
from vaeaug.report.quality import sample_quality
from vaeaug.vae.model import kl_per_dimension

STYLES = 200  # unlabelled samples whose styles are decoded with every class
COLUMNS = ("accuracy", "used_dims", "kl", "decoded_spread", "fidelity", "agreement", "spread")


@torch.no_grad()
def style_use(model: ConditionalAugmenter, pool) -> dict:
    """KL per style dimension over ``pool`` and the decoded spread (see the module docstring)."""
    net = model.model_
    codes = torch.as_tensor(model.augmenter_.encode(pool), dtype=torch.float32)
    predicted = net.class_probabilities(codes).argmax(dim=1)
    mean, logvar = net.encode_style(codes, predicted)
    kl = kl_per_dimension(mean, logvar).mean(dim=0).numpy()
    ratios, fidelity = [], []
    for c in range(net.config.n_classes):
        own = codes[predicted == c]
        decoded = net.decode_codes(mean[:STYLES], torch.full((len(mean[:STYLES]),), c))
        fidelity.append(float((net.class_probabilities(decoded).argmax(dim=1) == c).float().mean()))
        if len(own) > 1:
            ratios.append(float(decoded.std(dim=0).mean() / own.std(dim=0).mean()))
    return {"used_dims": int((kl > 0.1).sum()), "kl": round(float(kl.sum()), 2),
            "kl_per_dim": [round(float(v), 3) for v in np.sort(kl)[::-1]], "decoded_spread": round(float(np.mean(ratios)), 3),
            "fidelity": round(float(np.mean(fidelity)), 3)}


def main(argv=None) -> None:
    parser = few_shot_parser(__doc__, "style_use")
    parser.add_argument("--free-bits", type=float, nargs="+", default=[0.0, 0.25, 0.5, 1.0])
    args = parser.parse_args(argv)

    rows = []
    for seed, (X_lab, y_lab), pool, (X_test, y_test) in few_shot_splits(args):
        vae = VAEAugmenter(random_state=seed, verbose=False).fit(X_lab, X_unlabelled=pool)
        for free_bits in args.free_bits:
            started = time.perf_counter()
            model = ConditionalAugmenter(vae, method="conditional-prior", filter="agree", style_free_bits=free_bits,
                                         random_state=seed, verbose=False).fit(X_lab, y_lab, X_unlabelled=pool)
            X_new, y_new = model.generate(X_lab, y_lab)
            quality = sample_quality(X_lab, y_lab, X_new, y_new, random_state=seed)
            rows.append({"free_bits": free_bits, "seed": seed, "accuracy": round(100 * model.score(X_test, y_test), 2),
                         **style_use(model, pool), "agreement": quality["agreement"], "spread": quality["spread"],
                         "seconds": round(time.perf_counter() - started, 1)})
            print(rows[-1], flush=True)
            _write(args, rows)  # after each row: a run stopped early keeps what it measured


def _write(args, rows) -> None:
    """The rows so far as JSON, and the mean of each measure per free bits as Markdown."""
    table = ["| style free bits | q(y\\|z) accuracy (%) | style dims used | KL of the style (nats) | "
             "decoded spread | decoded fidelity | draws: judge agreement | draws: spread vs labelled | seeds |",
             "|---|---|---|---|---|---|---|---|---|"]
    for free_bits in args.free_bits:
        mine = [r for r in rows if r["free_bits"] == free_bits]
        if mine:
            means = [np.mean([r[c] for r in mine]) for c in COLUMNS]
            table.append(f"| {free_bits:g} | {means[0]:.2f} | {means[1]:.1f} | {means[2]:.2f} | {means[3]:.3f} | "
                         f"{means[4]:.3f} | {means[5]:.3f} | {means[6]:.3f} | {len(mine)} |")
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{args.dataset}-k{args.labelled_per_class}"
    stem.with_suffix(".json").write_text(json.dumps({
        "dataset": args.dataset, "labelled_per_class": args.labelled_per_class, "seeds": args.seeds,
        "machine": platform.processor() or platform.machine(), "torch_threads": torch.get_num_threads(),
        "rows": rows}, indent=1))
    stem.with_suffix(".md").write_text("\n".join(table) + "\n")


if __name__ == "__main__":
    main()
