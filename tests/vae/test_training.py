"""The training loop (vaeaug.vae.training)."""

import numpy as np
import pytest
import torch

from vaeaug import MLPVAE, VAEConfig, train_vae
from vaeaug.vae.loop import seeded, select_device
from vaeaug.vae.training import reconstruction_loss


def _model(seed=0):
    with seeded(seed):
        return MLPVAE(VAEConfig(input_shape=(6,), latent_dim=2, hidden_units=32))


def _data():
    rng = np.random.default_rng(1)
    train = (rng.uniform(size=(64, 6)) < 0.5).astype(np.float32)
    # Validation data unlike the training data: fitting the training set makes it worse.
    val = 1.0 - train[:16]
    return train, val


def test_early_stopping_restores_the_best_epoch():
    train, val = _data()
    model = _model()
    history = train_vae(model, train, val, max_epochs=300, patience=3, learning_rate=1e-2,
                        batch_size=16, seed=0, device="cpu", progress=False)
    assert history.stopped_early
    best = int(np.argmin(history.val_reconstruction)) + 1
    assert history.best_epoch == best
    assert len(history.val_reconstruction) == best + 3  # stopped after `patience` epochs without a new best
    restored = reconstruction_loss(model, torch.as_tensor(val))
    assert restored == pytest.approx(history.val_reconstruction[best - 1], rel=1e-6)
    assert restored < history.val_reconstruction[-1]


def test_same_seed_gives_same_weights_on_cpu():
    train, val = _data()
    weights = []
    for _ in range(2):
        model = _model(seed=3)
        train_vae(model, train, val, max_epochs=5, seed=3, device="cpu", progress=False)
        weights.append(model.state_dict())
    assert all(torch.equal(weights[0][k], weights[1][k]) for k in weights[0])


def test_training_does_not_touch_the_callers_random_state():
    train, _ = _data()
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    train_vae(_model(), train, max_epochs=2, device="cpu", progress=False)
    assert torch.equal(torch.rand(1), expected)


def test_without_validation_data_it_trains_max_epochs():
    train, _ = _data()
    history = train_vae(_model(), train, max_epochs=4, device="cpu", progress=False)
    assert len(history.train_loss) == 4 and history.best_epoch is None


def test_max_steps_stops_mid_epoch():
    train, _ = _data()  # 64 rows at batch 16: 4 steps an epoch
    model = _model()
    steps = []
    model.register_forward_hook(lambda module, args, output: steps.append(module.training))
    history = train_vae(model, train, max_epochs=100, max_steps=10, batch_size=16, device="cpu", progress=False)
    assert len(history.train_loss) == 3  # 4 + 4 + 2 steps
    assert sum(steps) == 10  # forward passes in training mode: one per optimiser step
    assert np.isfinite(history.train_loss).all()
    with pytest.raises(ValueError, match="max_steps"):
        train_vae(_model(), train, max_steps=0, progress=False)


def test_min_steps_trains_past_max_epochs_and_holds_off_early_stopping():
    train, val = _data()  # 4 steps an epoch at batch 16
    history = train_vae(_model(), train, max_epochs=2, min_steps=10, batch_size=16, device="cpu", progress=False)
    assert len(history.train_loss) == 3  # ceil(10 / 4) epochs, not 2
    history = train_vae(_model(), train, val, max_epochs=1, min_steps=400, patience=1, learning_rate=1e-2,
                        batch_size=16, device="cpu", progress=False)
    assert len(history.val_reconstruction) == 100  # validation gets worse, but the 400 steps come first


def test_bad_training_settings_and_devices_are_clear_errors():
    train, _ = _data()
    with pytest.raises(ValueError, match="max_epochs"):
        train_vae(_model(), train, max_epochs=0, progress=False)
    with pytest.raises(ValueError, match="Unknown device"):
        select_device("tpu-ish")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA"):
            select_device("cuda")


def test_the_shared_loop_is_seeded_restores_the_callers_generator_and_steps_down_the_loss():
    from vaeaug.vae.loop import TrainingLoop

    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    weight = torch.nn.Parameter(torch.tensor([3.0]))
    orders, draws = [], []
    for _ in range(2):
        with TrainingLoop(2, seed=7) as loop:
            loop.optimise(torch.nn.Linear(1, 1), 0.1)
            loop.optimiser = torch.optim.SGD([weight], lr=0.25)
            assert [epoch for epoch in loop] == [1, 2]
            orders.append(loop.order(5).tolist())
            draws.append(torch.rand(1).item())
            loop.step((weight ** 2).sum())  # gradient 6: 3 - 0.25 * 6 = 1.5
    assert orders[0] == orders[1] and draws[0] == draws[1]  # the same seed, the same numbers
    assert torch.rand(1) == before  # the caller's generator is as it was
    assert weight.item() == 0.75  # two steps, each halving


def test_verbose_auto_shows_a_bar_on_a_terminal_or_in_a_notebook_and_none_in_a_log(monkeypatch):
    # issue 35: a notebook (whose stderr is no terminal) is not silent for minutes; a redirected log gets no bar
    import io
    import sys

    from vaeaug import VAEAugmenter
    from vaeaug.vae.loop import bar_disable

    assert bar_disable(False) is True and bar_disable(True) is False
    assert bar_disable("auto") is None  # tqdm's own test: a terminal shows it, a file does not
    notebook_stream = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})
    monkeypatch.setattr(sys, "stderr", notebook_stream())
    assert bar_disable("auto") is False
    assert VAEAugmenter().verbose == "auto"
    with pytest.raises(ValueError, match="verbose must be True, False or 'auto'; got 'yes'"):
        VAEAugmenter(verbose="yes", max_epochs=1).fit(np.random.default_rng(0).random((20, 4)))
