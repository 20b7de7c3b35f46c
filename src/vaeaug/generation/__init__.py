"""Generation: latent moves (latent, amounts, codes), method names (registry), augmenters (augmenter, multivae,
conditional), baselines, the semi-supervised rivals (semisupervised), the GC filter (filtering), samplers (sampler), chains (chain), auto and its candidates
(auto, candidates), and the generator kinds (kinds: make_augmenter)."""
