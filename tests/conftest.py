import os

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
