import os

from hypothesis import HealthCheck, settings

# A fixed, modest budget: every gate is checked on many shapes, and CI has 2 cores.
settings.register_profile("ci", max_examples=12, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
