import importlib.util
import os

import pytest
from hypothesis import HealthCheck, Phase, settings

# A fixed, modest budget: every gate is checked on many shapes, and CI has 2 cores.
settings.register_profile("ci", max_examples=12, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=200, deadline=None)
# For mutation testing (README): the same examples, but a failure is not shrunk, since a
# mutant needs only to be caught, and shrinking a failure takes longer than the tests.
settings.register_profile("mutation", parent=settings.get_profile("ci"), database=None,
                          phases=[Phase.explicit, Phase.generate])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_configure(config: pytest.Config) -> None:
    """With CHAINRULE_REQUIRE_TORCH set (CI sets it), a missing PyTorch is an error: the
    oracle tests would otherwise skip and the run would look green without them."""
    if os.environ.get("CHAINRULE_REQUIRE_TORCH") and importlib.util.find_spec("torch") is None:
        raise pytest.UsageError("CHAINRULE_REQUIRE_TORCH is set but PyTorch is not installed; "
                                "install the test extra: pip install '.[test]'")


# chainrule seeds its default generator from OS entropy at import (as PyTorch does); the
# suite starts from a fixed seed so that tests drawing without their own manual_seed stay
# repeatable (what the old fixed import-time seed 0 gave them).
import chainrule  # noqa: E402

chainrule.manual_seed(0)
