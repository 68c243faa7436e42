//! Pareto search: the 720-point plan space per kernel, pruning to a frontier, and the frontier cache.
