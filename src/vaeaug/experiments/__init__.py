"""Experiments: configs (config), the model cache (cache), the runner (runner), a run's results (results),
the default study (study) and the denoising study (denoising)."""
