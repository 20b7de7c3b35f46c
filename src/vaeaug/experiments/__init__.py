"""Experiments: configs (config), the paper's numbers (reference), the model cache (cache), one cell's context
(context), the runner (runner) and how it runs (execution), a run's results (results), the default study
(run_options, study) and the denoising study (denoising)."""
