"""The state of the city and its toolbox: agent tables, Mesa views, jobs, accounts, streams, kernels, metrics.

Mechanisms and policies read and write this state through :class:`model.core.world.World`.
"""
