"""The VAE: the model (model), the loop every network here trains in (loop), the VAE's training (training),
processes under torchrun (distributed), one save/load scheme (saving), the base of the estimators built on one VAE (estimator), the denoising
VAE (denoiser), and the conditional model on its codes (conditional_model)."""
