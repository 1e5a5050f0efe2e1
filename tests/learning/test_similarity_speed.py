"""The benchmark of tests/bench/bench_similarity.py, kept short: 5,000 COEs under a second."""

from tests.bench.bench_similarity import run


def test_similarity_at_5000_coes_under_a_second():
    assert run(5000) < 1.0
