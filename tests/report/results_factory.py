"""Synthetic results of format version 1 for the report tests.

The records look like a real run: every row of the guide, curves of a few hundred steps,
mismatches, warnings and a failed invocation's log. A seeded random generator makes them, so the
tests need no model and no engine.
"""

from __future__ import annotations

import copy
import json
import math
import random
from pathlib import Path
from typing import Any

from conformance.rows import ROWS

# Every verdict appears at least once; the rest of the records are equivalent.
FORCED_VERDICTS = {
    "st.fit.warmup_steps": "divergent",
    "st.fit.use_amp": "expected-divergence",
    "st.data.NoDuplicatesDataLoader": "skipped",
    "ce.init.cache_dir": "insensitive",
    "ce.fit.scheduler": "unexpected-pass",
    "ce.evaluator.CERerankingEvaluator": "error",
}
EXPECTED_FOR = {"expected-divergence": "expected-divergence", "unexpected-pass": "expected-divergence", "skipped": "skipped"}
UNEXPECTED = {"divergent", "error", "insensitive", "unexpected-pass"}


def run_info(spec: str = "reference", version: str = "0.1.0", run_id: str = "20261204T201500-3f2a") -> dict[str, Any]:
    """Return a run_info block for a run of target ``spec``."""
    return {
        "run_id": run_id,
        "suite": {"version": "0.1.0", "git_commit": "0123456789abcdef0123456789abcdef01234567"},
        "target": {
            "spec": spec,
            "name": "reference" if spec == "reference" else "sentence-transformers",
            "version": version,
            "path": "/opt/targets/" + spec,
            "python": "/usr/bin/python3",
            "commit": None,
        },
        "legacy_target": None,
        "versions": {"python": "3.11.7", "torch": "2.13.0+cpu", "transformers": "5.25.0", "datasets": "5.2.0", "numpy": "2.4.6"},
        "devices": [
            {"name": "cpu", "available": True, "description": "x86_64, 2 threads"},
            {"name": "cuda", "available": False, "description": "torch.cuda.is_available() is False"},
        ],
        "determinism": {"torch.use_deterministic_algorithms": True, "cudnn.benchmark": False, "dropout": "off in tiny models"},
        "tolerance_policy": {"fp32-cpu": {"rtol": 1e-5, "atol": 1e-6}, "real-cpu": {"rtol": 1e-4, "atol": 1e-5}},
        "seeds": {"base_seed": 12345},
        "tiers": ["tiny", "real"],
        "data_dir": None,
        "command_line": "pytest scenarios --target " + spec,
        "started_at": "2026-12-04T20:15:00+00:00",
        "finished_at": "2026-12-04T20:17:31+00:00",
        "expectations_file": None,
    }


def _curve(rng: random.Random, points: int, start: float, decay: float) -> list[float]:
    return [start * math.exp(-decay * step) + rng.uniform(0, 0.02) for step in range(points)]


def _learning_rate(points: int, warmup: int) -> list[float]:
    peak = 2e-5
    values = []
    for step in range(1, points + 1):
        if step <= warmup:
            values.append(peak * step / warmup)
        else:
            values.append(peak * (points - step) / max(points - warmup, 1))
    return values


def _mismatch(artifact: str, step: int, legacy: float, new: float, total: int) -> dict[str, Any]:
    return {
        "artifact": artifact,
        "kind": "value",
        "where": f"step {step}",
        "expected": legacy,
        "got": new,
        "max_abs_diff": abs(new - legacy),
        "max_rel_diff": abs(new - legacy) / abs(legacy),
        "count": total - step + 1,
        "total": total,
        "first_divergent_step": step,
        "message": f"{artifact} parts at step {step}: legacy {legacy:.6g}, new {new:.6g}",
    }


def _figures(rng: random.Random, points: int, diverge_at: int | None) -> dict[str, Any]:
    legacy = _curve(rng, points, 2.0, 0.01)
    new = list(legacy)
    if diverge_at is not None:
        new[diverge_at - 1 :] = [value * 1.1 for value in legacy[diverge_at - 1 :]]
    control = [value * 1.3 for value in legacy]
    return {
        "loss": {"legacy": legacy, "new": new, "negative_control": control},
        "learning_rate": {"legacy": _learning_rate(points, 10), "new": _learning_rate(points, 10 if diverge_at is None else 0), "negative_control": _learning_rate(points, 0)},
        "heldout": {"legacy": {"spearman": 0.4123, "pearson": 0.3987}, "new": {"spearman": 0.4123 if diverge_at is None else 0.35, "pearson": 0.3987}},
        "evaluations": {"legacy": [{"step": points, "metrics": {"spearman": 0.41}}], "new": [{"step": points, "metrics": {"spearman": 0.41}}]},
        "checkpoints": {"legacy": {"steps_saved": [points // 2, points], "steps_kept": [points]}, "new": {"steps_saved": [points // 2, points], "steps_kept": [points]}},
        "weights": {"tensors": 39, "max_abs_diff": 3.1e-8 if diverge_at is None else 2.4e-3, "max_rel_diff": 2e-6 if diverge_at is None else 0.05},
        "observations": {"legacy": {"callback_calls": 2}, "new": {"callback_calls": 2}},
    }


def _warnings(side: str) -> list[dict[str, Any]]:
    items = [{
        "source": "logging",
        "category": "WARNING",
        "logger": "transformers.trainer",
        "message": "Using <N> threads on <PATH>",
        "raw": "Using 2 threads on /tmp/x",
        "classification": "ambient",
        "expected": None,
    }]
    if side == "legacy":
        items.append({
            "source": "warnings",
            "category": "FutureWarning",
            "logger": None,
            "message": "fit is deprecated <script>alert(1)</script>; use SentenceTransformerTrainer",
            "raw": "fit is deprecated",
            "classification": "deprecation",
            "expected": True,
        })
    return items


def make_record(row_id: str, case: str = "default", tier: str = "tiny", device: str = "cpu",
                verdict: str = "equivalent", target: str = "reference", points: int = 40,
                seed: int = 0) -> dict[str, Any]:
    """Return one record of ``row_id`` whose figures and mismatches fit ``verdict``."""
    rng = random.Random(f"{seed}-{row_id}-{case}-{tier}-{device}")
    row = ROWS[row_id]
    diverges = verdict in {"divergent", "expected-divergence"}
    diverge_at = points // 3 if diverges else None
    figures = _figures(rng, points, diverge_at)

    mismatches = []
    if diverge_at is not None:
        loss = figures["loss"]
        mismatches.append(_mismatch("loss", diverge_at, loss["legacy"][diverge_at - 1], loss["new"][diverge_at - 1], points))
    control_mismatches = [] if verdict == "insensitive" else [_mismatch("loss", 1, figures["loss"]["legacy"][0], figures["loss"]["negative_control"][0], points)]

    record = {
        "id": f"{row_id}::{case}[{tier}-{device}]",
        "row": row_id,
        "case": case,
        "section": row.section,
        "title": row.title,
        "target": target,
        "device": device,
        "tier": tier,
        "verdict": verdict,
        "expected_verdict": EXPECTED_FOR.get(verdict, "equivalent"),
        "expected_reason": "AMP rounds differently on the two paths" if verdict in {"expected-divergence", "unexpected-pass"} else None,
        "unexpected": verdict in UNEXPECTED,
        "reason": f"synthetic reason for {row_id} with max abs diff {figures['weights']['max_abs_diff']:.2g}",
        "relation": "Final weights, loss per step and learning rate per step agree within the tolerance.",
        "implicit_arguments": {"learning_rate": "2e-5: fit's default, the Trainer's is 5e-5", "weight_decay": "0.01 on both"},
        "legacy_code": "model.fit(\n    train_objectives=[(loader, loss)],\n    epochs=4,\n    warmup_steps=10,\n)  # <not a tag> & more",
        "new_code": "trainer = SentenceTransformerTrainer(\n    model=model,\n    args=SentenceTransformerTrainingArguments(warmup_steps=10),\n)\ntrainer.train()",
        "negative_control": {
            "description": "new invocation with warmup_steps dropped",
            "code": "SentenceTransformerTrainingArguments()",
            "verdict": "equivalent" if verdict == "insensitive" else "divergent",
            "mismatches": control_mismatches,
        },
        "tolerance": {"policy": "fp32-cpu", "rtol": 1e-5, "atol": 1e-6, "override_reason": None},
        "figures": figures,
        "mismatches": mismatches,
        "warnings": {"legacy": _warnings("legacy"), "new": _warnings("new"), "negative_control": _warnings("new")},
        "timings": {"legacy_s": 1.2, "new_s": 1.5, "negative_control_s": 1.4, "compare_s": 0.1, "total_s": 4.3},
        "logs": {},
        "error": None,
    }
    if verdict == "error":
        record["error"] = {"side": "new", "type": "TimeoutError", "message": "the new invocation ran past 300 s"}
        record["logs"] = {"new": "Traceback (most recent call last):\n  ...\nTimeoutError: ran past 300 s\n"}
    if verdict == "skipped":
        record["figures"] = {}
        record["mismatches"] = []
        record["negative_control"] = None
        record["reason"] = "the shared data folder is missing"
    return record


def make_results(records: int = 60, points: int = 40, spec: str = "reference", version: str = "0.1.0",
                 run_id: str = "20261204T201500-3f2a", seed: int = 0) -> dict[str, Any]:
    """Return a valid results dict: every row once on tiny/cpu, then extra real-tier records."""
    row_ids = list(ROWS)
    keys = [(row_id, "tiny") for row_id in row_ids]
    keys += [(row_ids[index % len(row_ids)], "real") for index in range(max(records - len(row_ids), 0))]
    keys = keys[:records]

    items = []
    for row_id, tier in keys:
        verdict = FORCED_VERDICTS.get(row_id, "equivalent") if tier == "tiny" else "equivalent"
        items.append(make_record(row_id, tier=tier, verdict=verdict, target=spec, points=points, seed=seed))
    return {"schema_version": 1, "run_info": run_info(spec, version, run_id), "records": items}


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as JSON to ``path``; return the path."""
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def with_verdict(results: dict[str, Any], record_id: str, verdict: str) -> dict[str, Any]:
    """Return a copy of ``results`` where one record has another verdict (figures unchanged)."""
    changed = copy.deepcopy(results)
    for record in changed["records"]:
        if record["id"] == record_id:
            record["verdict"] = verdict
            record["unexpected"] = verdict in UNEXPECTED
            record["reason"] = f"changed to {verdict}"
            return changed
    raise KeyError(f"no record {record_id!r} in the results")
