"""Generation: latent moves (latent, amounts), method names (registry), augmenters (augmenter, multivae),
baselines, the GC filter (filtering), chains (chain), auto (auto), and names to estimators (factory)."""
