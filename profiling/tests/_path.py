"""Puts profiling/ on sys.path so the tests import riirc_profile however unittest discovers them."""

import os
import sys

PROFILING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(PROFILING)
if PROFILING not in sys.path:
    sys.path.insert(0, PROFILING)
