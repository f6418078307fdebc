"""The statistical tier: seeds per side, TOST per metric, its own negative control, the record it fills."""

from __future__ import annotations

import random
from types import SimpleNamespace

import pytest

from conformance import Case, NegativeControl, Scenario, Statistical, Tier
from conformance.compare import SideResult
from conformance.engine import RecordKey
from conformance.errors import InvocationFailed
from conformance.record import base_record
from conformance.report.schema import validate_results
from conformance.statistical_tier import judge_statistical
from conformance.targets import resolve

from .conftest import SCENARIOS, write_scenarios

DECLARATION = Statistical(
    margins={"final_loss": 0.15, "heldout.spearman": 0.1},
    seeds=4,
    negative_control=NegativeControl({"learning_rate": 5e-5}, "the Trainer's default learning rate"),
    exact_observations=("autocast_active",),
)


def _scenario(expect: str = "equivalent") -> Scenario:
    scenario = Scenario(
        row="st.fit.use_amp",
        relation="Final loss and held-out Spearman are equivalent in distribution.",
        negative_control=NegativeControl({"precision": None}, "mixed precision dropped"),
        tiers={"statistical": Tier(model="tiny-bert-dropout", data="st-fit-tiny", heldout="tiny-sts", statistical=DECLARATION)},
        cases=(Case("bf16", expect=expect, reason="documented" if expect != "equivalent" else None, dtype="bf16"),),
        artifacts=("loss", "heldout", "observations"),
    )
    scenario.legacy(lambda ctx: None)
    scenario.new(lambda ctx, precision="bf16", learning_rate=1e-3: None)
    return scenario


class FakeEngine:
    """Returns synthetic artifacts per side and seed: `shifts` moves a side's mean final loss."""

    def __init__(self, shifts: dict[str, float], seeds: int | None = None, raises: str | None = None, autocast: dict[str, bool] | None = None):
        self.options = SimpleNamespace(seed=100, statistical_seeds=seeds)
        self.shifts = shifts
        self.raises = raises
        self.autocast = autocast or {}
        self.calls: list[tuple[str, int]] = []

    def invoke(self, key, tier, model_path, side, label=None, seed=None):
        self.calls.append((side, seed))
        if side == self.raises:
            return InvocationFailed(side, "raised", "RuntimeError: broken", "log")
        noise = random.Random(f"{side}-{seed}").gauss(0.0, 0.03)
        artifacts = {
            "loss": {"loss": [3.4, 2.75 + self.shifts.get(side, 0.0) + noise]},
            "heldout": {"spearman": 0.4 + noise / 3},
            "observations": {"autocast_active": self.autocast.get(side, True)},
            "warnings": [],
            "determinism": {"seed": seed},
        }
        return SideResult(artifacts)


def _judge(engine: FakeEngine, expect: str = "equivalent"):
    scenario = _scenario(expect)
    key = RecordKey(scenario, scenario.cases[0], "statistical", "cpu")
    record = base_record(key, resolve("reference"))
    verdict = judge_statistical(engine, key, scenario.tiers["statistical"], "/model", record)
    return verdict, record


def test_equal_sides_are_equivalent():
    verdict, record = _judge(FakeEngine({"negative_control": 0.6}))
    assert verdict.verdict == "equivalent"
    assert record["mismatches"] == []
    assert record["negative_control"]["verdict"] == "divergent"


def test_each_side_runs_every_seed():
    engine = FakeEngine({"negative_control": 0.6})
    _judge(engine)
    assert sorted(seed for side, seed in engine.calls if side == "legacy") == [100, 101, 102, 103]
    assert len(engine.calls) == 12


def test_seed_option_overrides_declaration():
    engine = FakeEngine({"negative_control": 0.6}, seeds=3)
    _, record = _judge(engine)
    assert len(engine.calls) == 9
    assert record["figures"]["statistics"]["seeds"] == 3


def test_shifted_new_side_is_divergent():
    verdict, record = _judge(FakeEngine({"new": 0.5, "negative_control": 0.6}))
    assert verdict.verdict == "divergent"
    assert record["mismatches"][0]["artifact"] == "statistics"
    assert record["mismatches"][0]["where"] == "final_loss"
    assert record["mismatches"][0]["max_abs_diff"] == pytest.approx(0.5, abs=0.1)


def test_control_inside_margin_is_insensitive():
    verdict, record = _judge(FakeEngine({"negative_control": 0.01}))
    assert verdict.verdict == "insensitive"
    assert record["negative_control"]["verdict"] == "equivalent"


def test_control_uses_tier_declaration():
    scenario = _scenario()
    assert scenario.kwargs_for("negative_control", scenario.cases[0], "statistical") == {"learning_rate": 5e-5}
    assert scenario.kwargs_for("negative_control", scenario.cases[0], "tiny") == {"precision": None}
    record = base_record(RecordKey(scenario, scenario.cases[0], "statistical", "cpu"), resolve("reference"))
    assert record["negative_control"]["description"] == "the Trainer's default learning rate"


def test_seed_independent_observation_must_match():
    verdict, record = _judge(FakeEngine({"negative_control": 0.6}, autocast={"new": False}))
    assert verdict.verdict == "divergent"
    assert "autocast_active" in record["mismatches"][0]["message"]


def test_expected_divergence_case():
    verdict, _ = _judge(FakeEngine({"new": 0.5, "negative_control": 0.6}), expect="expected-divergence")
    assert verdict.verdict == "expected-divergence"


def test_raising_legacy_side_is_error():
    verdict, record = _judge(FakeEngine({}, raises="legacy"))
    assert verdict.verdict == "error"
    assert record["error"]["side"] == "legacy"


def test_raising_control_cannot_show_sensitivity():
    verdict, record = _judge(FakeEngine({}, raises="negative_control"))
    assert record["negative_control"]["verdict"] == "error"
    assert verdict.verdict == "equivalent"


def test_statistics_figure_shape():
    _, record = _judge(FakeEngine({"negative_control": 0.6}))
    figure = record["figures"]["statistics"]
    assert [test["metric"] for test in figure["metrics"]] == ["final_loss", "heldout.spearman"]
    assert figure["margins"] == {"final_loss": 0.15, "heldout.spearman": 0.1}
    assert figure["negative_control"][0]["outcome"] == "outside-margin"
    assert len(figure["runs"]["legacy"]) == 4
    assert figure["seed_values"] == [100, 101, 102, 103]
    assert record["figures"]["loss"]["legacy"] == [3.4, figure["runs"]["legacy"][0]["final_loss"]]


STATISTICAL_SCENARIO = '''
"""A statistical tier on the tiny model with dropout: legacy fit against the Trainer."""

from conformance import NegativeControl, Scenario, Statistical, Tier

import _st_fit

scenario = Scenario(
    row="st.fit.epochs",
    relation="Final loss equivalent in distribution within 0.4.",
    negative_control=NegativeControl({"learning_rate": 5e-5}, "the Trainer's default learning rate"),
    tiers={"statistical": Tier(model="tiny-bert-dropout", data="st-fit-tiny", heldout="tiny-sts",
                               statistical=Statistical(margins={"final_loss": 0.4}, seeds=2))},
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    loader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))
    model.fit(train_objectives=[(loader, loss)], epochs=5, warmup_steps=0, optimizer_params={"lr": 2e-3}, show_progress_bar=False)
    return model


@scenario.new
def new(ctx, learning_rate=2e-3):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))
    implicit = _st_fit.fit_defaults(learning_rate=learning_rate, warmup_steps=0, num_train_epochs=5, per_device_train_batch_size=len(dataset))
    args = _st_fit.training_args(ctx, implicit=implicit)
    SentenceTransformerTrainer(model=model, args=args, train_dataset=dataset, loss=loss).train()
    return model
'''


@pytest.mark.slow
def test_statistical_tier_end_to_end(suite, tmp_path):
    scenarios = write_scenarios(tmp_path, {"statistical_epochs.py": STATISTICAL_SCENARIO})
    for helper in ("_st_fit.py", "_common.py"):
        (scenarios / helper).write_text((SCENARIOS / helper).read_text())
    run = suite(scenarios, "--tier", "statistical", "--statistical-seeds", "4")
    assert run.exit_code == 0, run.output
    record = run.records()["st.fit.epochs::default[statistical-cpu]"]
    assert record["verdict"] == "equivalent"
    assert record["negative_control"]["verdict"] == "divergent"
    assert record["negative_control"]["mismatches"][0]["artifact"] == "statistics"
    assert record["figures"]["statistics"]["seeds"] == 4
    assert run.results["run_info"]["seeds"]["statistical_seeds"] == 4
    validate_results(run.results)
    page = (run.run_dir / "index.html").read_text()
    assert "Statistical comparison" in page
    assert "outside-margin" in page


def test_dropout_fixture_has_same_weights(tmp_path):
    import json

    from safetensors.numpy import load_file

    from conformance.fixtures import models

    models.build("tiny-bert", tmp_path / "plain", 3)
    models.build("tiny-bert-dropout", tmp_path / "dropout", 3)
    config = json.loads((tmp_path / "dropout" / "config.json").read_text())
    assert config["hidden_dropout_prob"] == 0.1
    assert config["attention_probs_dropout_prob"] == 0.1
    plain = load_file(str(tmp_path / "plain" / "model.safetensors"))
    dropout = load_file(str(tmp_path / "dropout" / "model.safetensors"))
    assert plain.keys() == dropout.keys()
    assert all((plain[name] == dropout[name]).all() for name in plain)
