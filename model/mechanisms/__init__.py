"""The monthly mechanisms: each a function over the world's arrays (:class:`model.core.world.World`).

The Model calls them in the order of the month (see ``DomesticWorkModel.step``).
"""
