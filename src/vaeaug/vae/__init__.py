"""The VAE: the model (model), its training loop (training), the base of the estimators built on one VAE
(estimator), and the denoising VAE (denoiser)."""
