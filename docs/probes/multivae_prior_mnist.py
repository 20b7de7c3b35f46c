"""Probe (seed 0): why is the Multi-VAE weak on MNIST k = 5, generated only?

Class-VAE settings against the SVM's weighted F1 on 100 prior draws per class, trained on the draws alone.

Run from the repository root: python docs/probes/multivae_prior_mnist.py (about 4 minutes on one core)."""
import time
from vaeaug.data.datasets import load
from vaeaug.data.protocols import make_split
from vaeaug import VAEAugmenter
from vaeaug.generation.multivae import MultiVAEAugmenter
from vaeaug.classifiers import make_classifier
from vaeaug.evaluation import score_classifier

d = load("mnist", "../shared/data")
sp = make_split(d, {"name": "few-shot", "labelled_per_class": 5}, random_state=0)
X, y = d.X[sp.labelled], d.y[sp.labelled]
for label, settings in [("500 steps, beta 0.5, prior scale 1", dict(beta=0.5, min_steps=500)),
                        ("3000 steps, beta 0.5, prior scale 1", dict(beta=0.5, min_steps=3000)),
                        ("500 steps, beta 0.5, prior scale 0.5 (the config's)", dict(beta=0.5, min_steps=500, alpha=0.5)),
                        ("500 steps, beta 4, prior scale 1", dict(beta=4.0, min_steps=500))]:
    t = time.time()
    alpha = settings.pop("alpha", 1.0)
    template = VAEAugmenter(latent_dim=50, max_epochs=15, patience=3, method="prior", alpha=alpha, n_per_class=100,
                            **settings)
    multi = MultiVAEAugmenter(template, mix_in=0.2, random_state=0).fit(X, y)
    Xn, yn = multi.generate(X, y)
    s = score_classifier(make_classifier("svm"), Xn, yn, d.X[sp.test], d.y[sp.test])
    print(f"{label}: F1 {s['f1_weighted']:.3f} ({time.time() - t:.0f} s)", flush=True)
