"""Mixed-type tables to [0, 1] and back (vaeaug.data.tables), and through fit_resample and `vaeaug augment`."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from vaeaug import make_augmenter
from vaeaug.cli import main
from vaeaug.data.tables import TableCodec, impute

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_shared = pytest.mark.skipif(not (SHARED / "proben1" / "card").is_dir(), reason="../shared/data is not here")

RNG = np.random.default_rng(0)
TABLE = pd.DataFrame({
    "income": RNG.lognormal(10, 1, 60),
    "children": RNG.integers(0, 5, 60),
    "owner": RNG.random(60) > 0.5,
    "city": RNG.choice(["Paris", "Lyon", "Nice"], 60),
    "grade": pd.Categorical(RNG.choice(["A", "B"], 60)),
    "code": RNG.choice([10, 20, 30], 60).astype(object),  # numbers stored as categories
})


def _assert_valid(new, table):
    """Valid categories, integer columns as integers, every number within its column's observed range."""
    assert list(new.columns) == list(table.columns) and (new.dtypes == table.dtypes).all()
    for name in table.columns:
        if pd.api.types.is_numeric_dtype(table[name]) and not pd.api.types.is_bool_dtype(table[name]):
            assert new[name].between(table[name].min(), table[name].max()).all(), name
        else:
            assert set(new[name]) <= set(table[name]), name


def test_a_table_round_trips_and_any_encoded_row_decodes_to_valid_values():
    codec = TableCodec().fit(TABLE)
    encoded = codec.transform(TABLE)
    assert encoded.shape == (60, 3 + 3 + 2 + 3) and encoded.min() >= 0 and encoded.max() <= 1
    back = codec.inverse_transform(encoded)
    pd.testing.assert_frame_equal(back, TABLE, check_exact=False, rtol=1e-6)
    _assert_valid(codec.inverse_transform(RNG.uniform(-0.5, 1.5, (200, encoded.shape[1]))), TABLE)


@pytest.mark.parametrize("method", ["interpolation", "label-spreading"])
def test_an_unlabelled_pool_of_a_mixed_table_is_encoded_as_the_table_is(method):
    # issue 34: fit_resample encoded X and handed the pool's text to the VAE as it was
    extra = {} if method == "label-spreading" else {"latent_dim": 2, "max_epochs": 2}
    y = RNG.choice([0, 1], 20)
    X_out, y_out = make_augmenter(method, random_state=0, **extra).fit_resample(TABLE[:20], y,
                                                                               X_unlabelled=TABLE[20:])
    pd.testing.assert_frame_equal(X_out.iloc[:20], TABLE[:20])
    assert len(X_out) > 20 and len(X_out) == len(y_out)
    _assert_valid(X_out.iloc[20:].reset_index(drop=True), TABLE)
    with pytest.raises(ValueError, match="give X_unlabelled as a DataFrame with the same columns"):
        make_augmenter(method, random_state=0, **extra).fit_resample(TABLE[:20], y, X_unlabelled=TABLE[20:].iloc[:, 1:])


def test_missing_values_are_refused_with_their_columns_or_imputed_on_request():
    holes = TABLE.copy()
    holes.loc[[1, 2], "income"] = np.nan
    holes.loc[3, "city"] = None
    with pytest.raises(ValueError, match=r"column \(rows\): 'income' \(2\), 'city' \(1\)"):
        TableCodec().fit(holes)
    filled = impute(holes)
    assert filled.loc[1, "income"] == TABLE["income"].drop([1, 2]).median()
    assert filled.loc[3, "city"] == pd.Series(TABLE["city"].drop(3)).mode()[0]


@pytest.mark.parametrize("method", ["interpolation", "smote", "multi-vae"])
def test_fit_resample_keeps_the_types_of_a_mixed_table(method):
    # issue 32: a table with a text column was refused
    extra = {} if method == "smote" else {"latent_dim": 2, "max_epochs": 2}
    y = pd.Series(RNG.choice([0, 1], 60), name="y")
    X_out, y_out = make_augmenter(method, random_state=0, **extra).fit_resample(TABLE, y)
    pd.testing.assert_frame_equal(X_out.iloc[:60], TABLE)
    assert len(X_out) == 60 * 4 and y_out.name == "y" and y_out.dtype == y.dtype
    _assert_valid(X_out.iloc[60:].reset_index(drop=True), TABLE)


def test_augment_writes_a_csv_in_the_inputs_columns_with_valid_values(tmp_path):
    table = TABLE.assign(label=RNG.choice(["yes", "no"], 60))[["income", "label", "children", "owner", "city"]]
    table.to_csv(tmp_path / "in.csv", index=False)
    assert main(["augment", str(tmp_path / "in.csv"), str(tmp_path / "out.csv"), "--max-epochs", "2",
                 "--latent-dim", "2", "--quiet"]) == 0
    out = pd.read_csv(tmp_path / "out.csv")
    assert list(out.columns) == [*table.columns, "is_synthetic"] and out["is_synthetic"].sum() == 180
    read = pd.read_csv(tmp_path / "in.csv")
    _assert_valid(out.drop(columns="is_synthetic"), read)
    pd.testing.assert_frame_equal(out[~out["is_synthetic"]].drop(columns="is_synthetic"), read)


def test_augment_refuses_text_columns_in_an_npz_before_training(tmp_path, capsys):
    TABLE.assign(label=1).to_csv(tmp_path / "in.csv", index=False)
    assert main(["augment", str(tmp_path / "in.csv"), str(tmp_path / "out.npz")]) == 2
    assert "write the output as a table" in capsys.readouterr().err and not (tmp_path / "out.npz").exists()


@needs_shared
def test_the_raw_credit_approval_table_augments_to_valid_rows(tmp_path):
    columns = [f"A{i}" for i in range(1, 16)] + ["label"]
    raw = pd.read_csv(SHARED / "proben1" / "card" / "crx.data", header=None, names=columns, na_values="?")
    raw.to_csv(tmp_path / "crx.csv", index=False)
    assert main(["augment", str(tmp_path / "crx.csv"), str(tmp_path / "out.csv"), "--max-epochs", "3",
                 "--quiet"]) == 2  # 37 rows have missing values: refused, naming the columns
    assert main(["augment", str(tmp_path / "crx.csv"), str(tmp_path / "out.csv"), "--max-epochs", "3",
                 "--impute", "--quiet"]) == 0
    out = pd.read_csv(tmp_path / "out.csv")
    _assert_valid(out[out["is_synthetic"]].drop(columns="is_synthetic"), raw.dropna())


def test_smote_on_a_table_with_text_columns_is_smote_nc(monkeypatch):
    # imbalanced-learn's SMOTE-NC: each new category is one its neighbours have, numbers between them
    from imblearn.over_sampling import SMOTENC

    calls = []
    original = SMOTENC.fit_resample
    monkeypatch.setattr(SMOTENC, "fit_resample", lambda self, X, y: calls.append(self.categorical_features)
                        or original(self, X, y))
    y = np.repeat([0, 1], 30)
    X_out, _ = make_augmenter("smote", random_state=0).fit_resample(TABLE, y)
    assert calls == [[3, 4, 5]]
    _assert_valid(X_out.iloc[60:].reset_index(drop=True), TABLE)
    codec = TableCodec(categories="codes").fit(TABLE)
    assert codec.transform(TABLE).shape == (60, 6)  # three number columns, three of category codes
    pd.testing.assert_frame_equal(codec.inverse_transform(codec.transform(TABLE)), TABLE, check_exact=False)


def test_an_empty_table_or_a_gap_before_a_rival_is_a_sentence():
    with pytest.raises(ValueError, match="The table is empty"):
        TableCodec().fit(TABLE.iloc[:0])
    with pytest.raises(ValueError, match=r"missing values; column \(rows\): 'income' \(1\)"):
        make_augmenter("tvae").generate(TABLE.assign(income=[np.nan] + [1.0] * 59), [0, 1] * 30)


def test_new_numbers_keep_the_decimals_their_column_is_written_with():
    # issue 32: a price written as 82646.10 came back as 82646.0985...
    table = pd.DataFrame({"price": [10.25, 99.5, 42.75, 12.0], "ratio": [0.1234567891, 0.5, 0.25, 0.75],
                          "city": ["a", "b", "a", "b"]})
    new = TableCodec().fit(table).inverse_transform(RNG.random((50, 4)))
    assert np.array_equal(new["price"], np.round(new["price"], 2)) and not np.array_equal(
        new["price"], np.round(new["price"], 1))
    assert not np.array_equal(new["ratio"], np.round(new["ratio"], 6))  # more than 6 decimals: as it comes
    _assert_valid(new, table)


@pytest.fixture
def parquet():
    return pytest.importorskip("pyarrow")


def test_augment_writes_a_parquet_table_back_as_parquet_with_its_types(tmp_path, parquet):
    table = TABLE.assign(label=RNG.choice([3, 7], 60))[["income", "label", "children", "owner", "city", "grade"]]
    table.to_parquet(tmp_path / "in.parquet", index=False)
    assert main(["augment", str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet"), "--max-epochs", "2",
                 "--latent-dim", "2", "--quiet"]) == 0
    out = pd.read_parquet(tmp_path / "out.parquet")
    assert list(out.columns) == [*table.columns, "is_synthetic"] and out["is_synthetic"].sum() == 180
    pd.testing.assert_frame_equal(out[~out["is_synthetic"]].drop(columns="is_synthetic"), table)
    assert out["label"].dtype == table["label"].dtype and set(out["label"]) == {3, 7}
    _assert_valid(out.drop(columns=["is_synthetic", "label"]), table.drop(columns="label"))


def test_a_parquet_file_without_pyarrow_is_a_sentence_with_the_fix(tmp_path, monkeypatch, capsys):
    (tmp_path / "in.parquet").write_bytes(b"PAR1")
    monkeypatch.setitem(__import__("sys").modules, "pyarrow", None)  # as if it were not installed
    assert main(["augment", str(tmp_path / "in.parquet"), str(tmp_path / "out.parquet")]) == 2
    assert "needs pyarrow; pip install pyarrow" in capsys.readouterr().err
