"""Hypothesis profiles for the property tests.

`ci` (the default) is derandomized: every run tries the same examples, so a failure
in CI is a failure on any machine. `HYPOTHESIS_PROFILE=long` is for a hunt on your
own machine: fifty times the examples, random, remembered in .hypothesis/.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("long", max_examples=5000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
