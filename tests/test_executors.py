"""A run on a real Dask cluster of worker processes gives what a local run gives.

``sharedcase run --executor dask`` (or ``tcp://HOST:PORT``) sends every report
and every chunk of options to Dask workers (:mod:`models.run.executors`).  Here
one :class:`dask.distributed.LocalCluster` of two worker *processes* (not
threads) serves the module: the default case run on it must write the same
``results.json`` and the same report files as a local run; an option whose
model raises on a worker fails alone (exit 1, the other reports kept); and a
worker killed in the middle of a task is replaced and the task run again.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
import yaml

from models.run.executors import (
    DaskRun,
    _probe,
    chunk_size,
    chunked_map,
    executor_choice,
)
from models.run.runner import run_cases
from tests.conftest import SMALL_CASE
from tests.report_support import DEFAULT_CASE, SITECUSTOMIZE, default_run

pytest.importorskip("distributed")

BROKEN = "broken"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two worker processes, started with an option ``broken`` whose model
    raises in every process (injected through ``sitecustomize``)."""
    site = tmp_path_factory.mktemp("site")
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE)
    mp = pytest.MonkeyPatch()
    mp.setenv(
        "PYTHONPATH", os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    )
    mp.setenv("SHAREDCASE_TEST_BROKEN_OPTION", BROKEN)
    try:
        with DaskRun("dask", jobs=2) as run:
            yield run
    finally:
        mp.undo()
        _stop_the_offload_thread()


def _stop_the_offload_thread() -> None:
    """distributed keeps one module-wide thread ('Dask-Offload') once a client
    has run; later tests fork kernels only where no thread runs, so it is
    stopped and replaced by an executor that starts no thread until used."""
    from concurrent.futures import ThreadPoolExecutor

    from distributed import utils

    utils._offload_executor.shutdown(wait=True)
    utils._offload_executor = ThreadPoolExecutor(1, thread_name_prefix="Dask-Offload")


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_the_cluster_runs_worker_processes_not_threads(cluster):
    pids = cluster.client.run(os.getpid)
    assert len(pids) == 2 and os.getpid() not in pids.values()
    assert len(set(pids.values())) == 2


def test_the_default_case_on_the_cluster_gives_a_local_runs_results_and_files(
    cluster, tmp_path_factory, tmp_path
):
    """The first 'Done when' of issue 18, on a LocalCluster: results.json byte
    for byte and the same set of files (reports, Excel, uncertainty/, inputs/)."""
    local_status, local = default_run(tmp_path_factory.getbasetemp())
    status = run_cases([DEFAULT_CASE], out_root=tmp_path, cluster=cluster)
    folder = tmp_path / "bromsgrove_redditch_2011" / "latest"
    assert status == local_status == 0
    assert (folder / "results.json").read_bytes() == (
        local / "results.json"
    ).read_bytes()
    assert _files(folder) == _files(local)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert all(o["notebook"] == "ok" for o in manifest["options"].values())


def test_without_reports_the_cluster_streams_the_files_of_a_local_run(
    cluster, tmp_path
):
    """--no-notebooks: every file but the manifest and the Excel (whose
    properties carry the time it was written) is the same bytes."""
    local = run_cases([DEFAULT_CASE], out_root=tmp_path / "local", notebooks=False)
    dask = run_cases(
        [DEFAULT_CASE], out_root=tmp_path / "dask", notebooks=False, cluster=cluster
    )
    assert local == dask == 0
    a = tmp_path / "local" / "bromsgrove_redditch_2011" / "latest"
    b = tmp_path / "dask" / "bromsgrove_redditch_2011" / "latest"
    assert _files(a) == _files(b)
    for name in _files(a):
        if name != "manifest.json" and not name.endswith(".xlsx"):
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_an_option_failing_on_a_worker_fails_alone_and_the_run_exits_1(
    cluster, tmp_path
):
    raw = copy.deepcopy(SMALL_CASE)
    raw["options"][BROKEN] = {
        "title": "Broken",
        "description": "Makes the model raise.",
    }
    case = tmp_path / "small.yaml"
    case.write_text(yaml.safe_dump(raw, sort_keys=False))
    status = run_cases([case], out_root=tmp_path / "out", cluster=cluster)
    assert status == 1
    # a run with a failed part is kept marked incomplete; 'latest' is not moved
    assert not (tmp_path / "out" / "small" / "latest").exists()
    (folder,) = (tmp_path / "out" / "small").glob("*.incomplete")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["options"][BROKEN]["status"] == "failed"
    assert "ZeroDivisionError" in manifest["options"][BROKEN]["error"]
    for name in SMALL_CASE["options"]:  # the others are kept, reports and all
        assert manifest["options"][name]["status"] == "ok"
        assert (folder / f"{name}.html").exists()
    assert BROKEN not in json.loads((folder / "results.json").read_text())["options"]


def _die_once(marker: str, value: int) -> int:
    """On a worker: kill the worker process the first time, succeed after."""
    if not Path(marker).exists():
        Path(marker).write_text(str(os.getpid()))
        os._exit(1)
    return value * 2


def test_a_worker_killed_mid_task_is_replaced_and_the_task_run_again(cluster, tmp_path):
    cluster.client.wait_for_workers(2, timeout=600)  # any killed earlier is back
    marker = tmp_path / "died"
    future = cluster.executor.submit(_die_once, str(marker), 21)
    assert future.result(timeout=120) == 42
    assert int(marker.read_text()) not in cluster.client.run(os.getpid).values()


class _DiesOnce:
    """A chunk task whose worker dies on the chunk holding ``victim``, once."""

    def __init__(self, marker: str, victim: str) -> None:
        self.marker, self.victim = marker, victim

    def __call__(self, names: list[str]) -> list[str]:
        if self.victim in names:
            _die_once(self.marker, 0)
        return [name.upper() for name in names]


def test_chunks_of_options_survive_a_killed_worker_and_come_back_in_order(
    cluster, tmp_path
):
    cluster.client.wait_for_workers(2, timeout=600)  # any killed earlier is back
    names = [f"o{i}" for i in range(12)]
    task = _DiesOnce(str(tmp_path / "died"), "o7")
    assert list(cluster.mapper(task, names)) == [n.upper() for n in names]
    assert (tmp_path / "died").exists()


def test_a_worker_that_cannot_reach_the_run_folder_says_which_and_why(tmp_path):
    problems = _probe([str(tmp_path / "missing.yaml")], str(tmp_path / "no-such"))
    assert problems[0] == f"cannot read {tmp_path / 'missing.yaml'}"
    assert problems[1].startswith(f"cannot write into {tmp_path / 'no-such'}")
    assert _probe([str(DEFAULT_CASE)], str(tmp_path)) == []


def test_chunked_map_gives_results_in_order_with_at_most_in_flight_chunks_ahead():
    from concurrent.futures import Future

    sent: list[list[int]] = []

    def submit(chunk: list[int]) -> Future:
        sent.append(chunk)
        done: Future = Future()
        done.set_result([c * 10 for c in chunk])
        return done

    out = []
    for value in chunked_map(submit, list(range(10)), size=2, in_flight=3):
        out.append(value)
        reading = (len(out) - 1) // 2 + 1  # the chunk being read (1-based)
        assert len(sent) - reading <= 3  # never more than 3 sent ahead of it
    assert out == [c * 10 for c in range(10)]
    assert sent == [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]]


def test_chunk_size_gives_each_worker_about_four_chunks_of_at_most_25():
    # 100 options, 2 workers: 100 // (2 x 4) = 12 options a chunk
    assert chunk_size(100, 2) == 12
    assert chunk_size(1000, 2) == 25  # capped
    assert chunk_size(5, 4) == 1


@pytest.mark.parametrize("text", ["locl", "tcp://host", "tcp://:8786", "http://a:1"])
def test_an_executor_that_is_not_local_dask_or_a_scheduler_address_is_refused(text):
    from models.core.errors import InputError

    with pytest.raises(InputError, match="--executor"):
        executor_choice(text)
